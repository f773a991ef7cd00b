// The API server's flags on shoal-control-plane. Without --api-listen-address the process is a
// bare store exactly as before (etcd's flags only). The API flags are taken out of argv here;
// the rest goes to the store's parser.
import { ConfigError } from '../store/config.js';

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
                                        (default: none, no token Secrets)`;

const LOOP_FILE_FLAGS = ['scheduler-config', 'controller-manager-config', 'service-account-private-key-file'] as const;
const API_FLAGS = ['api-listen-address', 'api-http-listen-address', 'api-store-endpoints', 'control-loops', ...LOOP_FILE_FLAGS] as const;
type ApiFlag = (typeof API_FLAGS)[number];

/** host:port with a numeric port 0-65535 and a non-empty host ("[::1]:6443" for IPv6). */
export function parseHostPort(flag: string, raw: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(raw.trim());
  if (m === null) throw new ConfigError(`--${flag}: "${raw}" is not HOST:PORT (e.g. 127.0.0.1:6443)`);
  const port = Number(m[2]);
  if (port > 65535) throw new ConfigError(`--${flag}: port ${port} is out of range (0-65535)`);
  return `${m[1]}:${port}`;
}

function parseEndpoints(raw: string): string[] {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) throw new ConfigError('--api-store-endpoints: expected at least one URL (http://127.0.0.1:2379,...)');
  for (const e of list) {
    const m = /^(https?:\/\/)?([^\s/]+)\/?$/.exec(e);
    if (m === null) throw new ConfigError(`--api-store-endpoints: "${e}" is not a client URL (http://HOST:PORT)`);
    if (m[1] === 'https://') throw new ConfigError(`--api-store-endpoints: "${e}": TLS to the store is not supported yet (use http:// on loopback or a private network)`);
    parseHostPort('api-store-endpoints', m[2]!);
  }
  return list;
}

function parseBoolean(flag: string, raw: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(`--${flag}: expected true or false, got "${raw}"`);
}

/** A file path flag: absent = undefined; given, it must not be empty. */
function parseFile(flag: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.trim() === '') throw new ConfigError(`--${flag}: expected a file path, got an empty value`);
  return raw;
}

/** Splits argv into the API server's config (undefined when --api-listen-address is absent) and the store's flags. */
export function loadApiConfig(argv: readonly string[]): { api: ApiConfig | undefined; storeArgv: string[] } {
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
    const value = eq >= 0 ? body.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new ConfigError(`flag --${name} needs a value`);
    raw.set(name as ApiFlag, value);
  }
  const listen = raw.get('api-listen-address');
  if (listen === undefined || listen === '') {
    for (const f of ['api-http-listen-address', 'api-store-endpoints', 'control-loops', ...LOOP_FILE_FLAGS] as const) {
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
    controlLoops: parseBoolean('control-loops', raw.get('control-loops') ?? 'false'),
    schedulerConfig: parseFile('scheduler-config', raw.get('scheduler-config')),
    controllerManagerConfig: parseFile('controller-manager-config', raw.get('controller-manager-config')),
    serviceAccountPrivateKeyFile: parseFile('service-account-private-key-file', raw.get('service-account-private-key-file')),
  };
  if (!api.controlLoops) {
    const stray = LOOP_FILE_FLAGS.find((f) => raw.has(f));
    if (stray !== undefined) throw new ConfigError(`--${stray} needs --control-loops=true (it configures the scheduler and controller manager)`);
  }
  if (api.httpListenAddress !== undefined && api.httpListenAddress === api.listenAddress && !api.listenAddress.endsWith(':0')) {
    throw new ConfigError(`--api-http-listen-address must differ from --api-listen-address (${api.listenAddress})`);
  }
  return { api, storeArgv: rest };
}
