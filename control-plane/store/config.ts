// A store member's configuration, with etcd's flag names and defaults (where Shoal differs it
// says so), read from the command line and/or a YAML file whose keys are the flag names
// (`name: infra1`, `initial-cluster: ...`, as in etcd's config file). Flags given on the
// command line override the file. Validated here, once, before anything starts.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseInitialCluster, parseUrlList, schemeOf, UrlError } from './peer-url.js';
import type { TlsFlagNames, TlsSettings } from './tls.js';
import { CLIENT_TLS_FLAGS, loadTlsMaterial, PEER_TLS_FLAGS, TlsError } from './tls.js';

export interface StoreConfig {
  name: string;
  dataDir: string;
  listenClientUrls: string[];
  advertiseClientUrls: string[];
  listenPeerUrls: string[];
  initialAdvertisePeerUrls: string[];
  /** name -> peer URLs of every member named in --initial-cluster. */
  initialCluster: Map<string, string[]>;
  initialClusterState: 'new' | 'existing';
  initialClusterToken: string;
  quotaBackendBytes: number;
  maxRequestBytes: number;
  snapshotCount: number;
  heartbeatIntervalMs: number;
  electionTimeoutMs: number;
  autoCompactionMode: 'revision' | 'periodic';
  /** Revision mode: revisions to keep. Periodic mode: milliseconds of history to keep. 0 = off. */
  autoCompactionRetention: number;
  listenMetricsUrls: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** fsync the WAL (always on in production; --unsafe-no-fsync turns it off, as in etcd 3.5). */
  fsync: boolean;
  /** TLS of the client port (--cert-file ...); set exactly when a listen client URL is https. */
  clientTls: TlsSettings | undefined;
  /** TLS of the peer port (--peer-cert-file ...); set exactly when the peer URLs are https. */
  peerTls: TlsSettings | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const GiB = 1024 * 1024 * 1024;
export const DEFAULT_QUOTA_BYTES = 2 * GiB;
export const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

export const USAGE = `usage: shoal-control-plane [flags]   (etcd's flag names; --flag value or --flag=value)
  --config-file FILE                  YAML with the same keys as the flags (flags override it)
  --name NAME                         member name (default "default")
  --data-dir DIR                      WAL and snapshots (default /var/lib/shoal/store)
  --listen-client-urls URLS           etcd v3 gRPC API (default http://127.0.0.1:2379)
  --advertise-client-urls URLS        published to the cluster (default: the listen client URLs)
  --listen-peer-urls URL              Raft between members (default http://127.0.0.1:2380)
  --initial-advertise-peer-urls URLS  this member's peer URLs as the others reach them (default: listen peer URLs)
  --initial-cluster NAME=URL,...      every member at bootstrap (default NAME=initial-advertise-peer-urls)
  --initial-cluster-state new|existing   new: found a cluster; existing: join one (after member add)
  --initial-cluster-token TOKEN       distinguishes clusters; part of member ids (default etcd-cluster)
  --quota-backend-bytes N             NOSPACE alarm above this store size (default 2 GiB; 0 = default)
  --max-request-bytes N               largest write request (default 1572864)
  --snapshot-count N                  applied entries between Raft snapshots (default 10000)
  --heartbeat-interval MS             (default 100)
  --election-timeout MS               (default 1000)
  --auto-compaction-mode revision|periodic   (default periodic)
  --auto-compaction-retention N       revisions, or a duration for periodic ("1h", "30m", bare number = hours); 0 = off
  --listen-metrics-urls URLS          /metrics and /health over HTTP (default: none)
  --log-level debug|info|warn|error   (default info)
  --unsafe-no-fsync                   do not fsync the WAL (tests and benchmarks only)
 TLS (https:// URLs need them; PEM files, checked at start-up):
  --cert-file FILE / --key-file FILE  the client port's certificate and key (also dials the leader: give it clientAuth too)
  --trusted-ca-file FILE              CA for client certificates (and for dialing other members' client URLs)
  --client-cert-auth                  require client certificates signed by --trusted-ca-file (every client URL https)
  --peer-cert-file FILE / --peer-key-file FILE   the peer port's certificate and key (served and dialed with)
  --peer-trusted-ca-file FILE         CA for the peers' certificates
  --peer-client-cert-auth             require peer certificates signed by --peer-trusted-ca-file`;

const KEYS = [
  'config-file',
  'name',
  'data-dir',
  'listen-client-urls',
  'advertise-client-urls',
  'listen-peer-urls',
  'initial-advertise-peer-urls',
  'initial-cluster',
  'initial-cluster-state',
  'initial-cluster-token',
  'quota-backend-bytes',
  'max-request-bytes',
  'snapshot-count',
  'heartbeat-interval',
  'election-timeout',
  'auto-compaction-mode',
  'auto-compaction-retention',
  'listen-metrics-urls',
  'log-level',
  'unsafe-no-fsync',
  'cert-file',
  'key-file',
  'trusted-ca-file',
  'client-cert-auth',
  'peer-cert-file',
  'peer-key-file',
  'peer-trusted-ca-file',
  'peer-client-cert-auth',
] as const;
type Key = (typeof KEYS)[number];
const BOOLEAN_KEYS: ReadonlySet<Key> = new Set(['unsafe-no-fsync', 'client-cert-auth', 'peer-client-cert-auth']);

/** Parses argv (without node and script) into raw flag values. */
export function parseFlags(argv: readonly string[]): Map<Key, string> {
  const out = new Map<Key, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) throw new ConfigError(`unexpected argument "${a}"`);
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = (eq >= 0 ? body.slice(0, eq) : body) as Key;
    if (!KEYS.includes(name)) throw new ConfigError(`unknown flag --${name}`);
    if (BOOLEAN_KEYS.has(name)) {
      out.set(name, eq >= 0 ? body.slice(eq + 1) : 'true');
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = body.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw new ConfigError(`flag --${name} needs a value`);
    out.set(name, value);
  }
  return out;
}

function readConfigFile(path: string): Map<Key, string> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`--config-file ${path}: ${(e as Error).message}`);
  }
  const out = new Map<Key, string>();
  if (doc === null || doc === undefined) return out;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`--config-file ${path}: expected a mapping of flag names to values`);
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (!KEYS.includes(k as Key) || k === 'config-file') throw new ConfigError(`--config-file ${path}: unknown key "${k}"`);
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new ConfigError(`--config-file ${path}: "${k}" must be a string or a number`);
    }
    out.set(k as Key, String(v));
  }
  return out;
}

function integer(key: string, raw: string, min: number): number {
  const v = Number(raw.trim());
  if (!Number.isSafeInteger(v) || v < min) throw new ConfigError(`--${key} must be an integer >= ${min}, got "${raw}"`);
  return v;
}

/** A Go-style duration ("90s", "1h30m", "500ms") or a bare number of hours (etcd's rule). */
export function parseRetentionMs(raw: string): number {
  const s = raw.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 3_600_000);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = s;
  while (rest !== '') {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (m === null) throw new ConfigError(`--auto-compaction-retention: "${raw}" is not a duration (e.g. 1h, 30m, 10s)`);
    total += Number(m[1]) * unit[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

function urls(key: string, raw: string): string[] {
  try {
    return parseUrlList(raw);
  } catch (e) {
    throw new ConfigError(`--${key}: ${(e as UrlError).message}`);
  }
}

function boolean(key: Key, raw: string | undefined): boolean {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError(`--${key} takes true or false, got "${raw}"`);
}

/**
 * One side's TLS flags, checked against its URLs: https URLs need a certificate and key, TLS
 * flags need an https URL to apply to, client-cert-auth needs a CA and no http listener left open
 * beside it, and every advertised URL must be served by a listener of its scheme. The files
 * are read now, so a missing or mismatched file stops the member before it starts.
 */
function tlsSide(
  get: (k: Key) => string | undefined,
  keys: { cert: Key; key: Key; ca: Key; auth: Key },
  flags: TlsFlagNames,
  urlsOf: { listen: [Key, string[]]; advertised: [Key, string[]][]; oneScheme?: boolean },
): TlsSettings | undefined {
  const [listenKey, listen] = urlsOf.listen;
  const listenSchemes = new Set(listen.map(schemeOf));
  const https = listenSchemes.has('https');
  for (const [key, list] of urlsOf.advertised) {
    for (const u of list) {
      const sch = schemeOf(u);
      if (urlsOf.oneScheme === true && sch !== schemeOf(listen[0]!)) {
        throw new ConfigError(`--${key}: ${u} is ${sch}://, but --${listenKey} is ${schemeOf(listen[0]!)}:// (every peer is dialed the same way)`);
      }
      if (!listenSchemes.has(sch)) throw new ConfigError(`--${key}: ${u} is ${sch}://, but no --${listenKey} is ${sch}://`);
    }
  }
  const certFile = get(keys.cert);
  const keyFile = get(keys.key);
  const trustedCaFile = get(keys.ca);
  const clientCertAuth = boolean(keys.auth, get(keys.auth));
  if (!https) {
    const given = [keys.cert, keys.key, keys.ca].filter((k) => get(k) !== undefined).concat(clientCertAuth ? [keys.auth] : []);
    if (given.length > 0) throw new ConfigError(`${given.map((k) => `--${k}`).join(', ')} given, but no --${listenKey} is https://`);
    return undefined;
  }
  if (certFile === undefined || keyFile === undefined) {
    throw new ConfigError(`--${listenKey} has an https:// URL: ${flags.cert} and ${flags.key} are required`);
  }
  if (clientCertAuth && trustedCaFile === undefined) throw new ConfigError(`--${keys.auth} needs ${flags.ca} (the CA that signs the clients' certificates)`);
  if (clientCertAuth && listenSchemes.has('http')) {
    throw new ConfigError(`--${keys.auth}: every --${listenKey} must be https:// (an http:// one would let clients in without a certificate)`);
  }
  const settings: TlsSettings = { certFile, keyFile, trustedCaFile, clientCertAuth };
  let canDial: boolean;
  try {
    canDial = loadTlsMaterial(settings, flags).canDial;
  } catch (e) {
    if (e instanceof TlsError) throw new ConfigError(e.message);
    throw e;
  }
  // Members dial each other with the peer certificate: peers that check client certificates
  // would refuse one without clientAuth, and the cluster would never form.
  if (urlsOf.oneScheme === true && clientCertAuth && !canDial) {
    throw new ConfigError(`${flags.cert} ${certFile}: with --${keys.auth} the peer certificate must allow clientAuth (extended key usage) as well as serverAuth`);
  }
  return settings;
}

/** The whole configuration from argv (and the config file it names). */
export function loadConfig(argv: readonly string[]): StoreConfig {
  const flags = parseFlags(argv);
  const file = flags.get('config-file');
  const raw = new Map<Key, string>([...(file !== undefined ? readConfigFile(file) : []), ...flags]);
  const get = (k: Key): string | undefined => raw.get(k);

  const name = get('name') ?? 'default';
  if (name === '' || /[=,]/.test(name)) throw new ConfigError(`--name "${name}" must be non-empty without '=' or ','`);
  const listenClientUrls = urls('listen-client-urls', get('listen-client-urls') ?? 'http://127.0.0.1:2379');
  const advertiseClientUrls = urls('advertise-client-urls', get('advertise-client-urls') ?? listenClientUrls.join(','));
  const listenPeerUrls = urls('listen-peer-urls', get('listen-peer-urls') ?? 'http://127.0.0.1:2380');
  if (listenPeerUrls.length !== 1) throw new ConfigError('--listen-peer-urls: Shoal listens on exactly one peer URL');
  const initialAdvertisePeerUrls = urls('initial-advertise-peer-urls', get('initial-advertise-peer-urls') ?? listenPeerUrls.join(','));
  let initialCluster: Map<string, string[]>;
  try {
    initialCluster = parseInitialCluster(get('initial-cluster') ?? `${name}=${initialAdvertisePeerUrls.join(`,${name}=`)}`);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const mine = initialCluster.get(name);
  if (mine === undefined) throw new ConfigError(`--initial-cluster has no member named "${name}" (--name)`);
  if ([...mine].sort().join(',') !== [...initialAdvertisePeerUrls].sort().join(',')) {
    throw new ConfigError(`--initial-cluster gives "${name}" peer URLs ${mine.join(',')}, but --initial-advertise-peer-urls is ${initialAdvertisePeerUrls.join(',')}`);
  }
  const state = get('initial-cluster-state') ?? 'new';
  if (state !== 'new' && state !== 'existing') throw new ConfigError(`--initial-cluster-state must be new or existing, got "${state}"`);
  const token = get('initial-cluster-token') ?? 'etcd-cluster';
  if (token === '') throw new ConfigError('--initial-cluster-token must not be empty');

  const quota = integer('quota-backend-bytes', get('quota-backend-bytes') ?? '0', 0);
  const maxRequestBytes = integer('max-request-bytes', get('max-request-bytes') ?? String(DEFAULT_MAX_REQUEST_BYTES), 1);
  const snapshotCount = integer('snapshot-count', get('snapshot-count') ?? '10000', 1);
  const heartbeatIntervalMs = integer('heartbeat-interval', get('heartbeat-interval') ?? '100', 1);
  const electionTimeoutMs = integer('election-timeout', get('election-timeout') ?? '1000', 1);
  if (electionTimeoutMs < 5 * heartbeatIntervalMs) {
    throw new ConfigError(`--election-timeout (${electionTimeoutMs} ms) should be at least 5 times --heartbeat-interval (${heartbeatIntervalMs} ms)`);
  }
  const mode = get('auto-compaction-mode') ?? 'periodic';
  if (mode !== 'revision' && mode !== 'periodic') throw new ConfigError(`--auto-compaction-mode must be revision or periodic, got "${mode}"`);
  const retentionRaw = get('auto-compaction-retention') ?? '0';
  const autoCompactionRetention = mode === 'revision' ? integer('auto-compaction-retention', retentionRaw, 0) : parseRetentionMs(retentionRaw);
  const level = get('log-level') ?? 'info';
  if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error') throw new ConfigError(`--log-level must be debug, info, warn or error`);
  const noFsync = boolean('unsafe-no-fsync', get('unsafe-no-fsync'));
  const metricsRaw = get('listen-metrics-urls');
  const listenMetricsUrls = metricsRaw !== undefined && metricsRaw !== '' ? urls('listen-metrics-urls', metricsRaw) : [];
  if (listenMetricsUrls.some((u) => schemeOf(u) === 'https')) throw new ConfigError('--listen-metrics-urls: /metrics and /health are served over plain http:// only');
  const clientTls = tlsSide(get, { cert: 'cert-file', key: 'key-file', ca: 'trusted-ca-file', auth: 'client-cert-auth' }, CLIENT_TLS_FLAGS, {
    listen: ['listen-client-urls', listenClientUrls],
    advertised: [['advertise-client-urls', advertiseClientUrls]],
  });
  const peerTls = tlsSide(get, { cert: 'peer-cert-file', key: 'peer-key-file', ca: 'peer-trusted-ca-file', auth: 'peer-client-cert-auth' }, PEER_TLS_FLAGS, {
    listen: ['listen-peer-urls', listenPeerUrls],
    // The Raft transport dials every peer with the same credentials: one scheme for all of them.
    advertised: [
      ['initial-advertise-peer-urls', initialAdvertisePeerUrls],
      ['initial-cluster', [...initialCluster.values()].flat()],
    ],
    oneScheme: true,
  });

  return {
    name,
    dataDir: get('data-dir') ?? '/var/lib/shoal/store',
    listenClientUrls,
    advertiseClientUrls,
    listenPeerUrls,
    initialAdvertisePeerUrls,
    initialCluster,
    initialClusterState: state,
    initialClusterToken: token,
    quotaBackendBytes: quota === 0 ? DEFAULT_QUOTA_BYTES : quota,
    maxRequestBytes,
    snapshotCount,
    heartbeatIntervalMs,
    electionTimeoutMs,
    autoCompactionMode: mode,
    autoCompactionRetention,
    listenMetricsUrls,
    logLevel: level,
    fsync: !noFsync,
    clientTls,
    peerTls,
  };
}
