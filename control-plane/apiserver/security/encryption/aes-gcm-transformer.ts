// Encryption at rest of values in the store, in Kubernetes' aesgcm provider format:
//   k8s:enc:aesgcm:v1:<keyname>:<12-byte nonce><ciphertext><16-byte tag>
// The storage key (e.g. /registry/secrets/ns/name) is the additional authenticated data, so a
// ciphertext copied under another key fails to decrypt. The first configured key encrypts; every
// key decrypts. Values without the "k8s:enc:" prefix are plaintext and read as they are, so a
// cluster can turn encryption on and rewrite its secrets afterwards. A fresh random nonce per
// write (from the injected source): with 96-bit random nonces a key should not encrypt more than
// about 2^32 values (Kubernetes' guidance); rotate keys long before that.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EncryptionError, EncryptionErrorCode } from './encryption-error.js';

export const ENCRYPTED_PREFIX = 'k8s:enc:';
export const AESGCM_PREFIX = 'k8s:enc:aesgcm:v1:';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** n random bytes; inject a seeded one in tests. */
export type RandomBytes = (n: number) => Uint8Array;
export const cryptoRandomBytes: RandomBytes = (n) => randomBytes(n);

export interface NamedKey {
  readonly name: string;
  /** 16, 24 or 32 bytes: AES-128, -192 or -256. */
  readonly secret: Uint8Array;
}

/** How new values are written: encrypted with a key, or plaintext ("identity" first in the config). */
export type WriteMode = { readonly type: 'aesgcm'; readonly key: NamedKey } | { readonly type: 'identity' };

export interface ReadResult {
  readonly value: Uint8Array;
  /** True when the stored form is not what a write would produce now: rewrite it (rotation). */
  readonly stale: boolean;
}

export interface ValueTransformer {
  toStorage(plaintext: Uint8Array, storageKey: string): Uint8Array;
  fromStorage(stored: Uint8Array, storageKey: string): ReadResult;
}

/** How a stored value was written, read from its prefix alone (no decryption). */
export type StoredForm =
  | { readonly type: 'plaintext' }
  | { readonly type: 'aesgcm'; readonly keyName: string }
  | { readonly type: 'other'; readonly provider: string };

export function storedForm(stored: Uint8Array): StoredForm {
  const head = Buffer.from(stored.subarray(0, 256)).toString('latin1');
  if (!head.startsWith(ENCRYPTED_PREFIX)) return { type: 'plaintext' };
  if (!head.startsWith(AESGCM_PREFIX)) return { type: 'other', provider: head.slice(ENCRYPTED_PREFIX.length).split(':')[0] ?? '' };
  const end = head.indexOf(':', AESGCM_PREFIX.length);
  if (end < 0) throw new EncryptionError(EncryptionErrorCode.malformed, 'encrypted value has no key name after "k8s:enc:aesgcm:v1:"');
  return { type: 'aesgcm', keyName: head.slice(AESGCM_PREFIX.length, end) };
}

function cipherName(key: NamedKey): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  switch (key.secret.length) {
    case 16:
      return 'aes-128-gcm';
    case 24:
      return 'aes-192-gcm';
    case 32:
      return 'aes-256-gcm';
    default:
      throw new EncryptionError(EncryptionErrorCode.invalidConfig, `key "${key.name}" is ${key.secret.length} bytes; AES-GCM needs 16, 24 or 32`, key.name);
  }
}

export class AesGcmTransformer implements ValueTransformer {
  private readonly keys = new Map<string, NamedKey>();

  /**
   * @param write how new values are written
   * @param readKeys every key that may have written a stored value (the write key is added)
   */
  constructor(
    private readonly write: WriteMode,
    readKeys: readonly NamedKey[],
    private readonly random: RandomBytes = cryptoRandomBytes,
  ) {
    for (const k of write.type === 'aesgcm' ? [write.key, ...readKeys] : readKeys) {
      if (k.name === '' || k.name.includes(':')) throw new EncryptionError(EncryptionErrorCode.invalidConfig, `key name "${k.name}" must be non-empty and contain no ":"`, k.name);
      cipherName(k);
      const seen = this.keys.get(k.name);
      if (seen !== undefined && Buffer.compare(Buffer.from(seen.secret), Buffer.from(k.secret)) !== 0) {
        throw new EncryptionError(EncryptionErrorCode.invalidConfig, `two different keys are named "${k.name}"`, k.name);
      }
      this.keys.set(k.name, k);
    }
  }

  toStorage(plaintext: Uint8Array, storageKey: string): Uint8Array {
    if (this.write.type === 'identity') return plaintext;
    const key = this.write.key;
    const nonce = this.random(NONCE_BYTES);
    if (nonce.length !== NONCE_BYTES) throw new Error(`random source returned ${nonce.length} bytes, not ${NONCE_BYTES}`);
    const cipher = createCipheriv(cipherName(key), key.secret, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(storageKey));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from(`${AESGCM_PREFIX}${key.name}:`), nonce, body, cipher.getAuthTag()]);
  }

  fromStorage(stored: Uint8Array, storageKey: string): ReadResult {
    const form = storedForm(stored);
    switch (form.type) {
      case 'plaintext':
        return { value: stored, stale: this.write.type !== 'identity' };
      case 'other':
        throw new EncryptionError(EncryptionErrorCode.malformed, `value at ${storageKey} was written by provider "${form.provider}", which Shoal does not support (only aesgcm and identity)`);
      case 'aesgcm':
        return { value: this.decrypt(stored, form.keyName, storageKey), stale: this.write.type !== 'aesgcm' || this.write.key.name !== form.keyName };
    }
  }

  private decrypt(stored: Uint8Array, keyName: string, storageKey: string): Uint8Array {
    const key = this.keys.get(keyName);
    if (key === undefined) {
      throw new EncryptionError(EncryptionErrorCode.unknownKey, `value at ${storageKey} was encrypted with key "${keyName}", which is not in the encryption configuration (keys: ${[...this.keys.keys()].join(', ') || 'none'})`, keyName);
    }
    const start = Buffer.byteLength(`${AESGCM_PREFIX}${keyName}:`);
    const data = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).subarray(start);
    if (data.length < NONCE_BYTES + TAG_BYTES) {
      throw new EncryptionError(EncryptionErrorCode.malformed, `value at ${storageKey} encrypted with key "${keyName}" is truncated (${data.length} bytes after the prefix)`, keyName);
    }
    const nonce = data.subarray(0, NONCE_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const body = data.subarray(NONCE_BYTES, data.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv(cipherName(key), key.secret, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(storageKey));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch (cause) {
      throw new EncryptionError(
        EncryptionErrorCode.decryptFailed,
        `value at ${storageKey} could not be decrypted with key "${keyName}": the key's secret differs from the one that wrote it, or the value was altered or moved`,
        keyName,
        { cause },
      );
    }
  }
}
