// The admin config file, ~/.shoal/config (YAML): which API servers to use (in failover order),
// how to authenticate, and the current namespace. Parsing and validation are pure; load/save
// do the file I/O. Every error names the file and the field.
//
//   servers: [10.0.0.1:6443, 10.0.0.2:6443, 10.0.0.3:6443]
//   namespace: default
//   credentials:            # all optional; used by the cluster-security issue
//     ca: ca.pem            # paths are relative to the config file's folder
//     cert: admin.pem
//     key: admin-key.pem
//     token: <bearer token> # or tokenFile: <path>
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { validateServer } from './connection.js';
import type { ClientCredentials } from './credentials.js';
import type { ShoalClientOptions } from './shoal-client.js';

export interface CredentialsConfig {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly token?: string;
  readonly tokenFile?: string;
}

export interface ShoalConfig {
  readonly servers: readonly string[];
  readonly namespace: string;
  readonly credentials: CredentialsConfig;
}

export const defaultConfig: ShoalConfig = { servers: ['127.0.0.1:6443'], namespace: 'default', credentials: {} };

export const ConfigErrorCode = {
  NotFound: 'NotFound',
  Unreadable: 'Unreadable',
  Syntax: 'Syntax',
  Invalid: 'Invalid',
} as const;
export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly code: ConfigErrorCode,
    /** The config file. */
    readonly file: string,
    /** The offending field path ("servers[1]"), "" for the whole file. */
    readonly field: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}${field === '' ? '' : `: ${field}`}: ${detail}`, options);
  }
}

export interface ConfigLocation {
  /** An explicit path (e.g. --config); wins over everything. */
  readonly path?: string;
  /** Environment to read SHOAL_CONFIG from (pass process.env at the edge). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Home folder for the default ~/.shoal/config. */
  readonly homeDir?: string;
}

/** Explicit path, else $SHOAL_CONFIG, else <home>/.shoal/config. */
export function configPath(loc: ConfigLocation): string {
  if (loc.path !== undefined && loc.path !== '') return loc.path;
  const fromEnv = loc.env?.['SHOAL_CONFIG'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (loc.homeDir === undefined || loc.homeDir === '') throw new ConfigError(ConfigErrorCode.NotFound, '~/.shoal/config', '', 'no home folder to find the config in; set SHOAL_CONFIG or pass a path');
  return join(loc.homeDir, '.shoal', 'config');
}

const nameRule = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Validates parsed YAML (pure). */
export function validateConfig(input: unknown, file: string): ShoalConfig {
  const invalid = (field: string, detail: string): never => {
    throw new ConfigError(ConfigErrorCode.Invalid, file, field, detail);
  };
  if (input === null || input === undefined) return defaultConfig;
  if (typeof input !== 'object' || Array.isArray(input)) invalid('', 'must be a mapping with servers, namespace and credentials');
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['servers', 'namespace', 'credentials'].includes(k)) invalid(k, 'unknown field (known: servers, namespace, credentials)');

  let servers: string[] = [...defaultConfig.servers];
  if (o['servers'] !== undefined) {
    const s = o['servers'];
    if (!Array.isArray(s)) invalid('servers', 'must be a list of host:port');
    const list = s as unknown[];
    if (list.length === 0) invalid('servers', 'must name at least one API server (host:port)');
    servers = list.map((v, i) => {
      if (typeof v !== 'string') return invalid(`servers[${i}]`, `must be a string host:port, got ${JSON.stringify(v)}`);
      const problem = validateServer(v);
      return problem === undefined ? v : invalid(`servers[${i}]`, problem);
    });
    const dup = servers.find((v, i) => servers.indexOf(v) !== i);
    if (dup !== undefined) invalid('servers', `"${dup}" is listed twice`);
  }

  let namespace = defaultConfig.namespace;
  if (o['namespace'] !== undefined) {
    const n = o['namespace'];
    if (typeof n !== 'string' || n.length > 63 || !nameRule.test(n)) invalid('namespace', `must be a DNS label (lower case letters, digits, "-"; at most 63), got ${JSON.stringify(n)}`);
    namespace = n as string;
  }

  const credentials: Record<string, string> = {};
  if (o['credentials'] !== undefined && o['credentials'] !== null) {
    const c = o['credentials'];
    if (typeof c !== 'object' || Array.isArray(c)) invalid('credentials', 'must be a mapping (ca, cert, key, token, tokenFile)');
    for (const [k, v] of Object.entries(c as Record<string, unknown>)) {
      if (!['ca', 'cert', 'key', 'token', 'tokenFile'].includes(k)) invalid(`credentials.${k}`, 'unknown field (known: ca, cert, key, token, tokenFile)');
      if (typeof v !== 'string' || v === '') invalid(`credentials.${k}`, 'must be a non-empty string');
      credentials[k] = v as string;
    }
    if ((credentials['cert'] === undefined) !== (credentials['key'] === undefined)) invalid('credentials', 'cert and key must be given together');
    if (credentials['token'] !== undefined && credentials['tokenFile'] !== undefined) invalid('credentials', 'token and tokenFile are exclusive');
  }
  return { servers, namespace, credentials };
}

/** Parses and validates YAML text (pure). */
export function parseConfig(text: string, file: string): ShoalConfig {
  const doc = parseDocument(text);
  const first = doc.errors[0];
  if (first !== undefined) throw new ConfigError(ConfigErrorCode.Syntax, file, '', `not valid YAML: ${first.message}`);
  return validateConfig(doc.toJS(), file);
}

export function serializeConfig(c: ShoalConfig): string {
  const out: Record<string, unknown> = { servers: [...c.servers], namespace: c.namespace };
  if (Object.keys(c.credentials).length > 0) out['credentials'] = { ...c.credentials };
  return stringify(out);
}

export interface LoadedConfig {
  readonly config: ShoalConfig;
  readonly path: string;
  /** False when the file does not exist and `optional` gave the defaults. */
  readonly exists: boolean;
}

/** Reads the config. A missing file is an error unless `optional` (then the defaults). */
export async function loadConfig(loc: ConfigLocation & { readonly optional?: boolean } = {}): Promise<LoadedConfig> {
  const path = configPath(loc);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      if (loc.optional === true) return { config: defaultConfig, path, exists: false };
      throw new ConfigError(ConfigErrorCode.NotFound, path, '', 'no such file (create it with a "servers:" list, or set SHOAL_CONFIG)', { cause: e });
    }
    throw new ConfigError(ConfigErrorCode.Unreadable, path, '', (e as Error).message, { cause: e });
  }
  return { config: parseConfig(text, path), path, exists: true };
}

/** Writes the config atomically (temp file + rename), readable by its owner only (it may hold a token). */
export async function saveConfig(config: ShoalConfig, loc: ConfigLocation = {}): Promise<string> {
  const path = configPath(loc);
  const text = serializeConfig(validateConfig(JSON.parse(JSON.stringify(config)) as unknown, path));
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
  return path;
}

/**
 * Client options from a config: its servers, namespace and credentials, with the files it names
 * read (relative to the config's folder). TLS is used when ca or cert is set.
 */
export async function clientOptionsFromConfig(config: ShoalConfig, path: string): Promise<ShoalClientOptions> {
  const c = config.credentials;
  const read = async (field: keyof CredentialsConfig): Promise<Buffer | undefined> => {
    const p = c[field];
    if (p === undefined) return undefined;
    const full = isAbsolute(p) ? p : resolve(dirname(path), p);
    try {
      return await readFile(full);
    } catch (e) {
      throw new ConfigError(ConfigErrorCode.Unreadable, path, `credentials.${field}`, `cannot read ${full}: ${(e as Error).message}`, { cause: e });
    }
  };
  const tokenFile = await read('tokenFile');
  const token = c.token ?? tokenFile?.toString('utf8').trim();
  const tokenPart = token === undefined ? {} : { token };
  let credentials: ClientCredentials;
  if (c.ca !== undefined || c.cert !== undefined) {
    const [ca, cert, key] = [await read('ca'), await read('cert'), await read('key')];
    credentials = { kind: 'tls', ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }), ...tokenPart };
  } else {
    credentials = { kind: 'insecure', ...tokenPart };
  }
  return { servers: config.servers, namespace: config.namespace, credentials };
}
