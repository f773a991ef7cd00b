// The control-plane secrets a joining control-plane host needs (CA certificate and key, the
// service-account key pair, the encryption config, the store's client URLs), sealed with
// AES-256-GCM under the certificate key K that init prints (kubeadm's --certificate-key). The
// sealed bundle is uploaded as Secret kube-system/shoal-control-plane-certs; without K the
// Secret is useless, so the bootstrap token alone does not hand out the CA. Pure (random injected).
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { BootstrapError } from './bootstrap-error.js';

export const CERTS_SECRET_NAMESPACE = 'kube-system';
export const CERTS_SECRET_NAME = 'shoal-control-plane-certs';
export const CERTS_SECRET_KEY = 'bundle';
const AAD = Buffer.from('shoal-control-plane-certs/v1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface CertificateBundle {
  readonly caCert: string;
  readonly caKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPublicKey: string;
  readonly encryptionConfig: string;
  /** Client URLs of the store members (where a joining host sends MemberAdd). */
  readonly storeClientUrls: readonly string[];
}

const FIELDS = ['caCert', 'caKey', 'serviceAccountKey', 'serviceAccountPublicKey', 'encryptionConfig'] as const;

/** A new certificate key: 32 random bytes as 64 hex digits. */
export function generateCertificateKey(randomBytes: (n: number) => Uint8Array): string {
  const k = Buffer.from(randomBytes(KEY_BYTES));
  if (k.length !== KEY_BYTES) throw new Error(`random source gave ${k.length} bytes, want ${KEY_BYTES}`);
  return k.toString('hex');
}

function keyOf(hex: string): Buffer {
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new BootstrapError('bad-flags', 'the certificate key must be 64 hex digits');
  return Buffer.from(hex, 'hex');
}

/** iv ‖ ciphertext ‖ tag. */
export function sealBundle(b: CertificateBundle, certificateKey: string, randomBytes: (n: number) => Uint8Array): Buffer {
  const iv = Buffer.from(randomBytes(IV_BYTES));
  const c = createCipheriv('aes-256-gcm', keyOf(certificateKey), iv);
  c.setAAD(AAD);
  const body = Buffer.concat([c.update(JSON.stringify(b), 'utf8'), c.final()]);
  return Buffer.concat([iv, body, c.getAuthTag()]);
}

export function openBundle(sealed: Uint8Array, certificateKey: string): CertificateBundle {
  const buf = Buffer.from(sealed);
  if (buf.length <= IV_BYTES + TAG_BYTES) throw new BootstrapError('bad-certificate-key', `Secret ${CERTS_SECRET_NAMESPACE}/${CERTS_SECRET_NAME} is too short to be a sealed bundle`);
  const d = createDecipheriv('aes-256-gcm', keyOf(certificateKey), buf.subarray(0, IV_BYTES));
  d.setAAD(AAD);
  d.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
  let text: string;
  try {
    text = Buffer.concat([d.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), d.final()]).toString('utf8');
  } catch {
    throw new BootstrapError('bad-certificate-key', `--certificate-key does not open Secret ${CERTS_SECRET_NAMESPACE}/${CERTS_SECRET_NAME} (wrong key, or the certificates were uploaded again with a new key)`);
  }
  const v = JSON.parse(text) as Record<string, unknown>;
  for (const f of FIELDS) if (typeof v[f] !== 'string') throw new BootstrapError('bad-certificate-key', `the sealed bundle has no ${f}`);
  const urls = v['storeClientUrls'];
  if (!Array.isArray(urls) || urls.some((u) => typeof u !== 'string')) throw new BootstrapError('bad-certificate-key', 'the sealed bundle has no storeClientUrls');
  return v as unknown as CertificateBundle;
}

/** The Secret that carries a sealed bundle. */
export function certsSecret(sealed: Uint8Array): { apiVersion: 'v1'; kind: 'Secret'; metadata: { name: string; namespace: string }; type: 'Opaque'; data: Record<string, string> } {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: CERTS_SECRET_NAME, namespace: CERTS_SECRET_NAMESPACE },
    type: 'Opaque',
    data: { [CERTS_SECRET_KEY]: Buffer.from(sealed).toString('base64') },
  };
}

/** The sealed bytes of a certs Secret as read from the API. */
export function sealedOf(secret: { data?: Readonly<Record<string, string>> }): Buffer {
  const v = secret.data?.[CERTS_SECRET_KEY];
  if (v === undefined) throw new BootstrapError('certs-missing', `Secret ${CERTS_SECRET_NAMESPACE}/${CERTS_SECRET_NAME} has no "${CERTS_SECRET_KEY}"`);
  return Buffer.from(v, 'base64');
}
