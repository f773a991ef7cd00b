// A private key that does not leak: JSON and util.inspect show "[redacted]"; only toPem() gives
// the material, for writing it to a 0600 file.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { inspect } from 'node:util';
import { crypto, generateKeyPair, KEY_ALGORITHM } from './algorithm.js';
import type { CryptoKey } from './algorithm.js';
import { PkiError } from './pki-error.js';

export class PrivateKey {
  private constructor(
    readonly privateKey: CryptoKey,
    readonly publicKey: CryptoKey,
  ) {}

  static async generate(): Promise<PrivateKey> {
    const pair = await generateKeyPair();
    return new PrivateKey(pair.privateKey, pair.publicKey);
  }

  /** Reads a PEM private key (PKCS#8 "PRIVATE KEY" or SEC1 "EC PRIVATE KEY") on P-256. */
  static async fromPem(pem: string): Promise<PrivateKey> {
    let pkcs8: Buffer;
    let spki: Buffer;
    try {
      const k = createPrivateKey(pem);
      if (k.asymmetricKeyType !== 'ec' || k.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new PkiError('bad-key', `want an ECDSA P-256 key, got ${k.asymmetricKeyType ?? 'unknown'} ${k.asymmetricKeyDetails?.namedCurve ?? ''}`.trim());
      }
      pkcs8 = k.export({ type: 'pkcs8', format: 'der' });
      spki = createPublicKey(k).export({ type: 'spki', format: 'der' });
    } catch (e) {
      if (e instanceof PkiError) throw e;
      // The cause is not attached: OpenSSL's message may quote the input.
      throw new PkiError('bad-key', 'not a PEM private key');
    }
    const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, KEY_ALGORITHM, true, ['sign']);
    const publicKey = await crypto.subtle.importKey('spki', spki, KEY_ALGORITHM, true, ['verify']);
    return new PrivateKey(privateKey, publicKey);
  }

  async toPem(): Promise<string> {
    const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', this.privateKey));
    return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
  }

  /** DER SubjectPublicKeyInfo of the public half. */
  async spki(): Promise<Buffer> {
    return Buffer.from(await crypto.subtle.exportKey('spki', this.publicKey));
  }

  toJSON(): string {
    return '[redacted private key]';
  }

  [inspect.custom](): string {
    return 'PrivateKey [redacted]';
  }
}
