// The API server's flags on shoal-control-plane. Without --api-listen-address the process is a
// bare store exactly as before (etcd's flags only). The API flags are taken out of argv here;
// the rest goes to the store's parser. Cluster security flags (contract C1) are checked here:
// pairs given together, files that exist, values in range; dev mode (no TLS flags) stays as it
// was: no credentials, everyone an anonymous admin.
import { existsSync } from 'node:fs';
import { ConfigError } from '../store/config.js';
import { AuthorizationMode } from './cluster-security.js';
import { parseNodeIpamFlags } from './node-ipam-flags.js';
import type { NodeIpamConfig } from './node-ipam-flags.js';
import { NODE_LIFECYCLE_FLAGS, parseNodeLifecycleFlags } from './node-lifecycle-flags.js';
import type { NodeLifecycleConfig } from './node-lifecycle-flags.js';
import { DEFAULT_SERVICE_CLUSTER_IP_RANGE, DEFAULT_SERVICE_NODE_PORT_RANGE, parseServiceRanges, ServiceRangeError } from './allocation/index.js';
import type { ServiceRanges } from './allocation/index.js';

export interface ApiSecurityConfig {
  /** TLS on the gRPC API port (both files or neither). */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** Client certificates signed by this CA authenticate users. */
  readonly clientCaFile: string | undefined;
  readonly authorizationMode: AuthorizationMode;
  /** Dev mode: a request without credentials is an anonymous admin (no TLS only). */
  readonly anonymousAdmin: boolean;
  readonly serviceAccountKeyFile: string | undefined;
  readonly serviceAccountIssuer: string;
  readonly encryptionProviderConfig: string | undefined;
  readonly audit: { readonly path: string; readonly maxSizeMb: number; readonly maxBackups: number } | undefined;
  /** TLS to the store's client URLs (https://): CA, and the client pair for mTLS. */
  readonly store: { readonly caFile: string | undefined; readonly certFile: string | undefined; readonly keyFile: string | undefined };
  /** The CA that signs CSRs (both or neither). */
  readonly clusterSigning: { readonly certFile: string; readonly keyFile: string } | undefined;
}

export interface ApiConfig {
  /** host:port of the gRPC API. */
  readonly listenAddress: string;
  /** host:port of /livez, /readyz, /metrics; undefined = none. */
  readonly httpListenAddress: string | undefined;
  /** The store's client URLs; empty = this member's advertise client URLs. */
  readonly storeEndpoints: readonly string[];
  /** Run the scheduler and controller manager candidates in this process (--control-loops). */
  readonly controlLoops: boolean;
  /** Client config files (client/config.ts) of the scheduler and the controller manager; undefined = insecure to this host's API. */
  readonly schedulerConfig: string | undefined;
  readonly controllerManagerConfig: string | undefined;
  /** PEM private key that signs the ServiceAccount controller's token Secrets; undefined = no token Secrets. */
  readonly serviceAccountPrivateKeyFile: string | undefined;
  readonly security: ApiSecurityConfig;
  /** Node IPAM in the controller manager (--allocate-node-cidrs, --cluster-cidr, --node-cidr-mask-size). */
  readonly nodeIpam: NodeIpamConfig;
  /** --service-cluster-ip-range and --service-node-port-range (the same on every API server). */
  readonly serviceRanges: ServiceRanges;
  /** Node loss timings: --node-monitor-grace-period / --node-monitor-period (controller manager),
   *  --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds (admission). */
  readonly nodeLifecycle: NodeLifecycleConfig;
}

export const API_USAGE = `API server (runs next to this store member when --api-listen-address is given):
  --api-listen-address HOST:PORT        gRPC API (Shoal's default port is 6443); absent = a bare store
  --api-http-listen-address HOST:PORT   /livez, /readyz and /metrics over HTTP (default: none)
  --api-store-endpoints URLS            the store's client URLs, comma-separated, for failover
                                        (default: this member's --advertise-client-urls)
  --control-loops true|false            also run the scheduler and the controller manager here,
                                        active on one host at a time through Leases (default: false)
  --scheduler-config F, --controller-manager-config F
                                        shoal client config files (servers, credentials) the loops
                                        use (default: no credentials, to this host's API address)
  --service-account-private-key-file F  PEM key that signs the ServiceAccount token Secrets
                                        (default: none, no token Secrets)
  --allocate-node-cidrs true|false      give every node a pod CIDR (spec.podCIDR) out of
                                        --cluster-cidr (default: true)
  --cluster-cidr CIDR                   the pods' address range (default: 10.244.0.0/16)
  --node-cidr-mask-size N               prefix length of each node's pod CIDR (default: 24)
  --service-cluster-ip-range CIDR       Services' cluster IPs (IPv4, /12 to /30; default ${DEFAULT_SERVICE_CLUSTER_IP_RANGE});
                                        the first address is the kubernetes Service's
  --service-node-port-range MIN-MAX     NodePorts (default ${DEFAULT_SERVICE_NODE_PORT_RANGE})
                                        Both must be the same on every API server of a cluster.
  --node-monitor-grace-period D         a node whose agent is silent this long is Unknown and
                                        tainted unreachable (default 40s; agents renew every 10s,
                                        so keep it at 20s or more)
  --node-monitor-period D               how often node health is looked at (default 5s)
  --default-not-ready-toleration-seconds N, --default-unreachable-toleration-seconds N
                                        how long new pods tolerate a not-ready / unreachable node
                                        before they are evicted (default 300)
  Security (without TLS flags the API is plaintext and every caller an anonymous admin: dev mode):
  --api-tls-cert-file F, --api-tls-private-key-file F
                                        serve the gRPC API over TLS with this certificate and key
  --api-client-ca-file F                client certificates signed by this CA authenticate users
                                        (CN = user, O = groups); optional per connection
  --api-authorization-mode M            AlwaysAllow or Node,RBAC (default Node,RBAC with
                                        --api-client-ca-file, else AlwaysAllow)
  --api-anonymous-admin BOOL            no credentials = anonymous admin (default true only
                                        without TLS and with AlwaysAllow)
  --api-service-account-key-file F      PEM public (or private) key verifying service-account tokens
  --api-service-account-issuer S        expected token issuer and audience (default "shoal")
  --api-encryption-provider-config F    EncryptionConfiguration YAML: encrypt e.g. secrets at rest
  --api-audit-log-path F                one JSON line per request
  --api-audit-log-maxsize MB            rotate the audit log at this size (default 100)
  --api-audit-log-maxbackup N           rotated audit files kept (default 3)
  --api-store-cafile F, --api-store-certfile F, --api-store-keyfile F
                                        https:// store endpoints: CA, client certificate and key
  --api-cluster-signing-cert-file F, --api-cluster-signing-key-file F
                                        the CA that signs CertificateSigningRequests`;

const SECURITY_FLAGS = [
  'api-tls-cert-file',
  'api-tls-private-key-file',
  'api-client-ca-file',
  'api-authorization-mode',
  'api-anonymous-admin',
  'api-service-account-key-file',
  'api-service-account-issuer',
  'api-encryption-provider-config',
  'api-audit-log-path',
  'api-audit-log-maxsize',
  'api-audit-log-maxbackup',
  'api-store-cafile',
  'api-store-certfile',
  'api-store-keyfile',
  'api-cluster-signing-cert-file',
  'api-cluster-signing-key-file',
] as const;
const LOOP_FILE_FLAGS = ['scheduler-config', 'controller-manager-config', 'service-account-private-key-file'] as const;
const NODE_IPAM_FLAGS = ['allocate-node-cidrs', 'cluster-cidr', 'node-cidr-mask-size'] as const;
const SERVICE_FLAGS = ['service-cluster-ip-range', 'service-node-port-range'] as const;
/** Flags of the node lifecycle controller: meaningless without the control loops. */
const NODE_MONITOR_FLAGS = ['node-monitor-grace-period', 'node-monitor-period'] as const;
const API_FLAGS = ['api-listen-address', 'api-http-listen-address', 'api-store-endpoints', 'control-loops', ...LOOP_FILE_FLAGS, ...SECURITY_FLAGS, ...SERVICE_FLAGS, ...NODE_IPAM_FLAGS, ...NODE_LIFECYCLE_FLAGS] as const;
type ApiFlag = (typeof API_FLAGS)[number];
const BOOLEAN_FLAGS: readonly string[] = ['api-anonymous-admin'];
const FILE_FLAGS: readonly ApiFlag[] = SECURITY_FLAGS.filter((f) => f.endsWith('file') || f === 'api-encryption-provider-config');

/** host:port with a numeric port 0-65535 and a non-empty host ("[::1]:6443" for IPv6). */
export function parseHostPort(flag: string, raw: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(raw.trim());
  if (m === null) throw new ConfigError(`--${flag}: "${raw}" is not HOST:PORT (e.g. 127.0.0.1:6443)`);
  const port = Number(m[2]);
  if (port > 65535) throw new ConfigError(`--${flag}: port ${port} is out of range (0-65535)`);
  return `${m[1]}:${port}`;
}

/** Comma-separated client URLs (http:// or https://). */
export function parseEndpoints(raw: string, flag = 'api-store-endpoints'): string[] {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) throw new ConfigError(`--${flag}: expected at least one URL (http://127.0.0.1:2379,...)`);
  for (const e of list) {
    const m = /^(https?:\/\/)?([^\s/]+)\/?$/.exec(e);
    if (m === null) throw new ConfigError(`--${flag}: "${e}" is not a client URL (http://HOST:PORT)`);
    parseHostPort(flag, m[2]!);
  }
  return list;
}

function parseBool(flag: string, raw: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(`--${flag}: "${raw}" is not true or false`);
}

function parseCount(flag: string, raw: string, min: number): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) throw new ConfigError(`--${flag}: "${raw}" is not a whole number >= ${min}`);
  return Number(raw);
}

/** Both flags or neither. */
function pair(raw: ReadonlyMap<ApiFlag, string>, a: ApiFlag, b: ApiFlag): { first: string; second: string } | undefined {
  const x = raw.get(a);
  const y = raw.get(b);
  if (x === undefined && y === undefined) return undefined;
  if (x === undefined || y === undefined) throw new ConfigError(`--${x === undefined ? a : b} is required with --${x === undefined ? b : a} (a certificate needs its key)`);
  return { first: x, second: y };
}

/** The security flags (contract C1), checked; `exists` tells whether a file is there. */
export function parseSecurity(raw: ReadonlyMap<ApiFlag, string>, exists: (path: string) => boolean = existsSync): ApiSecurityConfig {
  for (const f of FILE_FLAGS) {
    const p = raw.get(f);
    if (p === undefined) continue;
    if (p.trim() === '') throw new ConfigError(`--${f}: needs a file path`);
    if (!exists(p)) throw new ConfigError(`--${f}: file ${p} not found`);
  }
  const tlsPair = pair(raw, 'api-tls-cert-file', 'api-tls-private-key-file');
  const tls = tlsPair === undefined ? undefined : { certFile: tlsPair.first, keyFile: tlsPair.second };
  const clientCaFile = raw.get('api-client-ca-file');
  if (clientCaFile !== undefined && tls === undefined) throw new ConfigError('--api-client-ca-file needs --api-tls-cert-file and --api-tls-private-key-file (client certificates travel over TLS)');
  const modeRaw = raw.get('api-authorization-mode');
  const modes = Object.values(AuthorizationMode) as string[];
  if (modeRaw !== undefined && !modes.includes(modeRaw)) throw new ConfigError(`--api-authorization-mode: "${modeRaw}" is not one of ${modes.join(', ')}`);
  const authorizationMode = (modeRaw as AuthorizationMode | undefined) ?? (clientCaFile !== undefined ? AuthorizationMode.NodeRBAC : AuthorizationMode.AlwaysAllow);
  const anonRaw = raw.get('api-anonymous-admin');
  const devMode = tls === undefined && authorizationMode === AuthorizationMode.AlwaysAllow;
  const anonymousAdmin = anonRaw === undefined ? devMode : parseBool('api-anonymous-admin', anonRaw);
  if (anonymousAdmin && !devMode) throw new ConfigError('--api-anonymous-admin=true is for dev mode only (no TLS flags, authorization AlwaysAllow)');
  const auditPath = raw.get('api-audit-log-path');
  for (const f of ['api-audit-log-maxsize', 'api-audit-log-maxbackup'] as const) {
    if (raw.has(f) && auditPath === undefined) throw new ConfigError(`--${f} needs --api-audit-log-path`);
  }
  const audit =
    auditPath === undefined
      ? undefined
      : { path: auditPath, maxSizeMb: parseCount('api-audit-log-maxsize', raw.get('api-audit-log-maxsize') ?? '100', 1), maxBackups: parseCount('api-audit-log-maxbackup', raw.get('api-audit-log-maxbackup') ?? '3', 0) };
  const storeCert = raw.get('api-store-certfile');
  const storeKey = raw.get('api-store-keyfile');
  if ((storeCert === undefined) !== (storeKey === undefined)) throw new ConfigError(`--${storeCert === undefined ? 'api-store-certfile' : 'api-store-keyfile'} is required with --${storeCert === undefined ? 'api-store-keyfile' : 'api-store-certfile'} (a certificate needs its key)`);
  const signing = pair(raw, 'api-cluster-signing-cert-file', 'api-cluster-signing-key-file');
  const issuer = raw.get('api-service-account-issuer') ?? 'shoal';
  if (issuer.trim() === '') throw new ConfigError('--api-service-account-issuer: must not be empty');
  return {
    tls,
    clientCaFile,
    authorizationMode,
    anonymousAdmin,
    serviceAccountKeyFile: raw.get('api-service-account-key-file'),
    serviceAccountIssuer: issuer,
    encryptionProviderConfig: raw.get('api-encryption-provider-config'),
    audit,
    store: { caFile: raw.get('api-store-cafile'), certFile: storeCert, keyFile: storeKey },
    clusterSigning: signing === undefined ? undefined : { certFile: signing.first, keyFile: signing.second },
  };
}

/** A file path flag: absent = undefined; given, it must not be empty. */
function parseFile(flag: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.trim() === '') throw new ConfigError(`--${flag}: expected a file path, got an empty value`);
  return raw;
}

function parseRanges(raw: ReadonlyMap<ApiFlag, string>): ServiceRanges {
  try {
    return parseServiceRanges(raw.get('service-cluster-ip-range'), raw.get('service-node-port-range'));
  } catch (e) {
    if (e instanceof ServiceRangeError) throw new ConfigError(e.message);
    throw e;
  }
}

/** Splits argv into the API server's config (undefined when --api-listen-address is absent) and the store's flags. */
export function loadApiConfig(argv: readonly string[], exists: (path: string) => boolean = existsSync): { api: ApiConfig | undefined; storeArgv: string[] } {
  const raw = new Map<ApiFlag, string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    if (!a.startsWith('-') || !(API_FLAGS as readonly string[]).includes(name)) {
      rest.push(a);
      continue;
    }
    const next = argv[i + 1];
    if (eq < 0 && BOOLEAN_FLAGS.includes(name) && (next === undefined || next.startsWith('-'))) {
      raw.set(name as ApiFlag, 'true');
      continue;
    }
    const value = eq >= 0 ? body.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new ConfigError(`flag --${name} needs a value`);
    raw.set(name as ApiFlag, value);
  }
  const listen = raw.get('api-listen-address');
  if (listen === undefined || listen === '') {
    for (const f of ['api-http-listen-address', 'api-store-endpoints', 'control-loops', ...LOOP_FILE_FLAGS, ...SECURITY_FLAGS, ...SERVICE_FLAGS, ...NODE_LIFECYCLE_FLAGS] as const) {
      if (raw.has(f)) throw new ConfigError(`--${f} needs --api-listen-address (without it the process is a bare store)`);
    }
    return { api: undefined, storeArgv: rest };
  }
  const http = raw.get('api-http-listen-address');
  const endpoints = raw.get('api-store-endpoints');
  const api: ApiConfig = {
    listenAddress: parseHostPort('api-listen-address', listen),
    httpListenAddress: http === undefined || http === '' ? undefined : parseHostPort('api-http-listen-address', http),
    storeEndpoints: endpoints === undefined ? [] : parseEndpoints(endpoints),
    controlLoops: parseBool('control-loops', raw.get('control-loops') ?? 'false'),
    schedulerConfig: parseFile('scheduler-config', raw.get('scheduler-config')),
    controllerManagerConfig: parseFile('controller-manager-config', raw.get('controller-manager-config')),
    serviceAccountPrivateKeyFile: parseFile('service-account-private-key-file', raw.get('service-account-private-key-file')),
    security: parseSecurity(raw, exists),
    nodeIpam: parseNodeIpamFlags(raw),
    serviceRanges: parseRanges(raw),
    nodeLifecycle: parseNodeLifecycleFlags(raw),
  };
  if (!api.controlLoops) {
    const stray = [...LOOP_FILE_FLAGS, ...NODE_MONITOR_FLAGS].find((f) => raw.has(f));
    if (stray !== undefined) throw new ConfigError(`--${stray} needs --control-loops=true (it configures the scheduler and controller manager)`);
  }
  const storeTls = api.security.store.caFile !== undefined || api.security.store.certFile !== undefined;
  const plain = api.storeEndpoints.find((e) => !e.startsWith('https://'));
  if (storeTls && plain !== undefined) throw new ConfigError(`--api-store-endpoints: "${plain}" is not https:// but --api-store-cafile/--api-store-certfile ask for TLS to the store`);
  const secure = api.storeEndpoints.find((e) => e.startsWith('https://'));
  if (!storeTls && secure !== undefined) throw new ConfigError(`--api-store-endpoints: "${secure}" is https:// and needs --api-store-cafile (the CA that signed the store's certificate)`);
  if (api.httpListenAddress !== undefined && api.httpListenAddress === api.listenAddress && !api.listenAddress.endsWith(':0')) {
    throw new ConfigError(`--api-http-listen-address must differ from --api-listen-address (${api.listenAddress})`);
  }
  return { api, storeArgv: rest };
}
