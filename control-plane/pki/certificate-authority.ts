// The cluster CA: a self-signed ECDSA P-256 certificate (10 years by default) that signs every
// serving, peer and client certificate of the cluster.
import * as x509 from './x509.js';
import { crypto, SIGNING_ALGORITHM } from './algorithm.js';
import { PkiError } from './pki-error.js';
import { PrivateKey } from './private-key.js';
import type { PkiDeps, ValidityOptions } from './validity.js';
import { DEFAULT_CA_VALIDITY_MS, randomSerial, validityWindow } from './validity.js';

export interface CertificateAuthority {
  readonly cert: x509.X509Certificate;
  readonly certPem: string;
  readonly key: PrivateKey;
}

export interface CreateCaOptions extends ValidityOptions {
  /** Default "shoal-ca". */
  commonName?: string;
}

export async function createCa(o: CreateCaOptions, deps: PkiDeps): Promise<CertificateAuthority> {
  const key = await PrivateKey.generate();
  const { notBefore, notAfter } = validityWindow(deps.now(), o, DEFAULT_CA_VALIDITY_MS);
  const name: x509.JsonName = [{ CN: [o.commonName ?? 'shoal-ca'] }];
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(deps),
      subject: name,
      issuer: name,
      notBefore,
      notAfter,
      publicKey: key.publicKey,
      signingKey: key.privateKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
        await x509.SubjectKeyIdentifierExtension.create(key.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { cert, certPem: cert.toString('pem'), key };
}

/** Parses one PEM certificate. */
export function parseCertificate(pem: string, what = 'certificate'): x509.X509Certificate {
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) throw new PkiError('bad-pem', `${what}: no "BEGIN CERTIFICATE" block`);
  try {
    return new x509.X509Certificate(pem);
  } catch (e) {
    throw new PkiError('bad-pem', `${what}: ${(e as Error).message}`);
  }
}

/** Loads a CA from its PEM files, checking that it is a CA and that the key is its key. */
export async function loadCa(certPem: string, keyPem: string): Promise<CertificateAuthority> {
  const cert = parseCertificate(certPem, 'CA certificate');
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (bc === null || !bc.ca) throw new PkiError('not-a-ca', `"${cert.subject}" has no basicConstraints CA:TRUE`);
  const key = await PrivateKey.fromPem(keyPem);
  if (!Buffer.from(cert.publicKey.rawData).equals(await key.spki())) {
    throw new PkiError('key-mismatch', `the key is not the key of "${cert.subject}"`);
  }
  return { cert, certPem: cert.toString('pem'), key };
}
