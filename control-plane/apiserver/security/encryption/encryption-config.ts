// The encryption configuration file: Kubernetes' EncryptionConfiguration, trimmed to the aesgcm
// and identity providers, so a file written for Kubernetes with those providers works here.
//
//   apiVersion: apiserver.config.k8s.io/v1
//   kind: EncryptionConfiguration
//   resources:
//     - resources: [secrets]
//       providers:
//         - aesgcm:
//             keys:
//               - name: key2          # the first key of the first provider encrypts
//                 secret: <base64 of 32 random bytes>
//               - name: key1          # every key decrypts
//                 secret: <base64>
//         - identity: {}              # plaintext values stay readable
//
// Unprefixed (plaintext) values are always readable (see AesGcmTransformer); listing identity
// only matters when it is first, which turns encryption off for new writes.
import { parse, stringify } from 'yaml';
import type { NamedKey, RandomBytes, ValueTransformer, WriteMode } from './aes-gcm-transformer.js';
import { AesGcmTransformer, cryptoRandomBytes } from './aes-gcm-transformer.js';
import { EncryptionError, EncryptionErrorCode } from './encryption-error.js';

export const ENCRYPTION_CONFIG_API_VERSION = 'apiserver.config.k8s.io/v1';
export const ENCRYPTION_CONFIG_KIND = 'EncryptionConfiguration';

export type Provider = { readonly type: 'aesgcm'; readonly keys: readonly NamedKey[] } | { readonly type: 'identity' };

export interface ResourceEncryption {
  /** Plural resource names, optionally group-qualified ("secrets", "widgets.example.com"). */
  readonly resources: readonly string[];
  readonly providers: readonly Provider[];
}

export interface EncryptionConfig {
  readonly resources: readonly ResourceEncryption[];
}

const invalid = (path: string, msg: string): EncryptionError => new EncryptionError(EncryptionErrorCode.invalidConfig, `encryption config: ${path === '' ? '' : `${path}: `}${msg}`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const RESOURCE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function onlyKeys(v: Record<string, unknown>, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw invalid(path, `unknown field "${k}" (allowed: ${allowed.join(', ')})`);
  }
}

function list(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v) || v.length === 0) throw invalid(path, 'must be a non-empty list');
  return v;
}

function parseKey(v: unknown, path: string): NamedKey {
  if (!isObject(v)) throw invalid(path, 'must be a mapping with name and secret');
  onlyKeys(v, path, ['name', 'secret']);
  const { name, secret } = v;
  if (typeof name !== 'string' || name === '') throw invalid(`${path}.name`, 'required, a non-empty string');
  if (name.includes(':')) throw invalid(`${path}.name`, `"${name}" must not contain ":" (it is part of the stored prefix)`);
  if (typeof secret !== 'string' || secret === '') throw invalid(`${path}.secret`, `required for key "${name}", the base64 of 32 random bytes`);
  if (!BASE64.test(secret)) throw invalid(`${path}.secret`, `key "${name}" is not valid base64`);
  const bytes = Buffer.from(secret, 'base64');
  if (![16, 24, 32].includes(bytes.length)) throw invalid(`${path}.secret`, `key "${name}" decodes to ${bytes.length} bytes; AES-GCM needs 32 (or 16, 24)`);
  return { name, secret: new Uint8Array(bytes) };
}

function parseProvider(v: unknown, path: string): Provider {
  if (!isObject(v) || Object.keys(v).length !== 1) throw invalid(path, 'must name exactly one provider: aesgcm or identity');
  if ('identity' in v) {
    if (v.identity !== null && (!isObject(v.identity) || Object.keys(v.identity).length > 0)) throw invalid(`${path}.identity`, 'takes no settings ({})');
    return { type: 'identity' };
  }
  if (!('aesgcm' in v)) throw invalid(path, `provider "${Object.keys(v)[0]}" is not supported (only aesgcm and identity)`);
  const a = v.aesgcm;
  if (!isObject(a)) throw invalid(`${path}.aesgcm`, 'must be a mapping with keys');
  onlyKeys(a, `${path}.aesgcm`, ['keys']);
  return { type: 'aesgcm', keys: list(a.keys, `${path}.aesgcm.keys`).map((k, i) => parseKey(k, `${path}.aesgcm.keys[${i}]`)) };
}

/** Checks a parsed document (a YAML or JSON object); throws EncryptionError naming the field. */
export function validateEncryptionConfig(doc: unknown): EncryptionConfig {
  if (!isObject(doc)) throw invalid('', 'must be a mapping (apiVersion, kind, resources)');
  onlyKeys(doc, '', ['apiVersion', 'kind', 'resources']);
  if (doc.apiVersion !== ENCRYPTION_CONFIG_API_VERSION) throw invalid('apiVersion', `must be "${ENCRYPTION_CONFIG_API_VERSION}", not ${JSON.stringify(doc.apiVersion)}`);
  if (doc.kind !== ENCRYPTION_CONFIG_KIND) throw invalid('kind', `must be "${ENCRYPTION_CONFIG_KIND}", not ${JSON.stringify(doc.kind)}`);
  const seenResources = new Map<string, string>();
  const keyNames = new Map<string, { readonly at: string; readonly entry: number; readonly secret: string }>();
  const resources = list(doc.resources, 'resources').map((r, i): ResourceEncryption => {
    const path = `resources[${i}]`;
    if (!isObject(r)) throw invalid(path, 'must be a mapping with resources and providers');
    onlyKeys(r, path, ['resources', 'providers']);
    const names = list(r.resources, `${path}.resources`).map((n, j) => {
      const p = `${path}.resources[${j}]`;
      if (typeof n !== 'string' || !RESOURCE.test(n)) throw invalid(p, `${JSON.stringify(n)} is not a resource name such as "secrets" (wildcards are not supported)`);
      const before = seenResources.get(n);
      if (before !== undefined) throw invalid(p, `"${n}" is already configured at ${before}`);
      seenResources.set(n, p);
      return n;
    });
    const providers = list(r.providers, `${path}.providers`).map((p, j) => parseProvider(p, `${path}.providers[${j}]`));
    providers.forEach((p, j) => {
      if (p.type !== 'aesgcm') return;
      p.keys.forEach((k, n) => {
        const at = `${path}.providers[${j}].aesgcm.keys[${n}]`;
        const secret = Buffer.from(k.secret).toString('base64');
        const before = keyNames.get(k.name);
        // The stored prefix names the key, so a name must mean one secret everywhere.
        if (before?.entry === i) throw invalid(`${at}.name`, `"${k.name}" appears twice for the same resources (also at ${before.at})`);
        if (before !== undefined && before.secret !== secret) throw invalid(`${at}.name`, `"${k.name}" is already used for another secret at ${before.at}`);
        keyNames.set(k.name, { at, entry: i, secret });
      });
    });
    return { resources: names, providers };
  });
  return { resources };
}

/** Parses and checks the file's text. */
export function parseEncryptionConfig(text: string): EncryptionConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (cause) {
    throw new EncryptionError(EncryptionErrorCode.invalidConfig, `encryption config: not valid YAML: ${(cause as Error).message}`, undefined, { cause });
  }
  return validateEncryptionConfig(doc);
}

/** The file's text for a config (keys as base64). */
export function renderEncryptionConfig(config: EncryptionConfig): string {
  return stringify({
    apiVersion: ENCRYPTION_CONFIG_API_VERSION,
    kind: ENCRYPTION_CONFIG_KIND,
    resources: config.resources.map((r) => ({
      resources: [...r.resources],
      providers: r.providers.map((p) => (p.type === 'identity' ? { identity: {} } : { aesgcm: { keys: p.keys.map((k) => ({ name: k.name, secret: Buffer.from(k.secret).toString('base64') })) } })),
    })),
  });
}

/**
 * The transformer for one resource ("secrets"), or undefined when the config does not list it
 * (stored as plaintext). The first provider decides how values are written.
 */
export function transformerFor(config: EncryptionConfig, resource: string, random: RandomBytes = cryptoRandomBytes): ValueTransformer | undefined {
  const entry = config.resources.find((r) => r.resources.includes(resource));
  if (entry === undefined) return undefined;
  const first = entry.providers[0];
  const keys = entry.providers.flatMap((p) => (p.type === 'aesgcm' ? p.keys : []));
  let write: WriteMode = { type: 'identity' };
  if (first?.type === 'aesgcm') {
    const key = first.keys[0];
    if (key === undefined) throw invalid(`resources (${resource})`, 'the first aesgcm provider has no keys');
    write = { type: 'aesgcm', key };
  }
  return new AesGcmTransformer(write, keys, random);
}
