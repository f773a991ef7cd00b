// Making and rotating keys. Rotation across several API servers goes, as in Kubernetes:
// 1. add the new key second everywhere (all can read it); 2. make it first everywhere (all write
// with it); 3. rewrite every value that staleValues() reports; 4. drop the old key.
import type { RandomBytes, StoredForm } from './aes-gcm-transformer.js';
import { cryptoRandomBytes, storedForm } from './aes-gcm-transformer.js';
import type { EncryptionConfig, Provider } from './encryption-config.js';
import { EncryptionError, EncryptionErrorCode } from './encryption-error.js';

/** A new AES-256 key as the config file holds it (base64 of 32 random bytes). */
export function generateKey(random: RandomBytes = cryptoRandomBytes): string {
  const b = random(32);
  if (b.length !== 32) throw new Error(`random source returned ${b.length} bytes, not 32`);
  return Buffer.from(b).toString('base64');
}

/** A fresh config that encrypts secrets with one new key and still reads plaintext. */
export function newEncryptionConfig(keyName: string, random: RandomBytes = cryptoRandomBytes): EncryptionConfig {
  return {
    resources: [
      {
        resources: ['secrets'],
        providers: [{ type: 'aesgcm', keys: [{ name: keyName, secret: new Uint8Array(Buffer.from(generateKey(random), 'base64')) }] }, { type: 'identity' }],
      },
    ],
  };
}

/**
 * The config with a new key for `resource`: first when `primary` (step 2), otherwise second
 * (step 1). Fails if the name is taken.
 */
export function addKey(config: EncryptionConfig, resource: string, keyName: string, secret: Uint8Array, primary: boolean): EncryptionConfig {
  const i = config.resources.findIndex((r) => r.resources.includes(resource));
  if (i < 0) throw new EncryptionError(EncryptionErrorCode.invalidConfig, `encryption config has no entry for "${resource}"`);
  const entry = config.resources[i]!;
  const taken = entry.providers.some((p) => p.type === 'aesgcm' && p.keys.some((k) => k.name === keyName));
  if (taken) throw new EncryptionError(EncryptionErrorCode.invalidConfig, `a key named "${keyName}" already exists for "${resource}"`, keyName);
  const key = { name: keyName, secret };
  const idx = entry.providers.findIndex((p) => p.type === 'aesgcm');
  let providers: Provider[];
  if (idx < 0) providers = primary ? [{ type: 'aesgcm', keys: [key] }, ...entry.providers] : [...entry.providers, { type: 'aesgcm', keys: [key] }];
  else {
    const p = entry.providers[idx] as Extract<Provider, { type: 'aesgcm' }>;
    const keys = primary ? [key, ...p.keys] : [p.keys[0]!, key, ...p.keys.slice(1)];
    providers = entry.providers.map((q, j) => (j === idx ? { type: 'aesgcm', keys } : q));
    if (primary && idx !== 0) providers = [providers[idx]!, ...providers.filter((_, j) => j !== idx)];
  }
  return { resources: config.resources.map((r, j) => (j === i ? { ...r, providers } : r)) };
}

export interface StaleValue {
  readonly key: string;
  readonly form: StoredForm;
  /** "plaintext", `written with key "old"`, ... */
  readonly reason: string;
}

/**
 * Which stored values a rewrite would change, read from their prefixes only (no key needed):
 * plaintext when a key writes, values of any key but the writing one, ciphertext when identity
 * writes. `writeKey` is the first key's name, or undefined when identity is first.
 */
export function staleValues(values: Iterable<{ readonly key: string; readonly value: Uint8Array }>, writeKey: string | undefined): StaleValue[] {
  const out: StaleValue[] = [];
  for (const { key, value } of values) {
    const form = storedForm(value);
    let reason: string | undefined;
    if (form.type === 'plaintext') reason = writeKey === undefined ? undefined : 'plaintext';
    else if (form.type === 'other') reason = `written by unsupported provider "${form.provider}"`;
    else if (form.keyName !== writeKey) reason = `written with key "${form.keyName}"${writeKey === undefined ? ', encryption is off' : `, not "${writeKey}"`}`;
    if (reason !== undefined) out.push({ key, form, reason });
  }
  return out;
}

/** The name of the key that writes `resource`, or undefined (plaintext writes). */
export function writeKeyName(config: EncryptionConfig, resource: string): string | undefined {
  const first = config.resources.find((r) => r.resources.includes(resource))?.providers[0];
  return first?.type === 'aesgcm' ? first.keys[0]?.name : undefined;
}
