// shoal-control-plane: runs one control-plane member — the cluster store (an etcd v3 compatible
// member) and, with --api-listen-address, the API server next to it, which talks to the store
// through its client URLs like any etcd client. Flags use etcd's names; see
// `shoal-control-plane --help`.
//
// `shoal-control-plane init ...` / `join ...` set up a secure control-plane host in a data
// directory and run it the same way (control-plane/bootstrap); `--config-file F` reads flags
// from YAML (keys = flag names; the command line wins), which is how a set-up host restarts.
//
// Exit codes: 0 after SIGTERM/SIGINT or after this member was removed from the cluster,
// 1 when it could not start or its storage failed, 2 for bad flags.
import '../client/quiet-ip-servername-warning.js';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { versionLine } from '../client/index.js';
import { ApiServer, DEFAULT_MAX_REQUEST_BYTES, EtcdStoreStatus, systemClock } from './apiserver/index.js';
import { API_USAGE, loadApiConfig } from './apiserver/config.js';
import type { ApiConfig } from './apiserver/config.js';
import { loadSecurity } from './apiserver/security-setup.js';
import { ENCRYPTION_USAGE, runEncryptionCommand } from './apiserver/encryption-command.js';
import type { SecuritySetup } from './apiserver/security-setup.js';
import { EtcdStorage } from './apiserver/storage/index.js';
import { BootstrapError, detectFeatures, expandConfigFile, INIT_USAGE, JOIN_USAGE, parseInitOptions, parseJoinOptions, prepareInit, prepareJoin } from './bootstrap/index.js';
import type { BootstrapDeps, HostRun } from './bootstrap/index.js';
import { loadControlLoopsSettings, startControlLoops } from './control-loops.js';
import type { ControlLoops, ControlLoopsSettings } from './control-loops.js';
import { ConfigError, createLogger, loadConfig, StoreMember, USAGE } from './store/index.js';
import type { Logger, StoreConfig } from './store/index.js';

interface Api {
  readonly server: ApiServer;
  readonly storage: EtcdStorage;
  readonly loops: ControlLoops | undefined;
  readonly security: SecuritySetup;
}

/** Where this process reaches its own API server: a wildcard listen address is dialled on loopback. */
function localApiAddress(listenAddress: string, port: number): string {
  const host = listenAddress.slice(0, listenAddress.lastIndexOf(':'));
  const dial = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  return `${dial}:${port}`;
}

/**
 * The address other hosts reach this API server at (the kubernetes Service's endpoint): the API
 * listen host when it is one address, else the host of this member's first advertised client URL.
 */
function apiAdvertiseIp(listenAddress: string, advertiseClientUrls: readonly string[]): string {
  const host = listenAddress.slice(0, listenAddress.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && host !== '0.0.0.0' && host !== '::') return host;
  for (const u of advertiseClientUrls) {
    const h = /^[a-z]+:\/\/\[?([^\]/]+?)\]?:\d+/.exec(u)?.[1];
    if (h !== undefined && isIP(h) !== 0) return h;
  }
  return '127.0.0.1';
}

/** Starts the API server once the member serves clients. */
async function startApi(config: StoreConfig, api: ApiConfig, loopSettings: ControlLoopsSettings | undefined, log: Logger): Promise<Api> {
  const endpoints = api.storeEndpoints.length > 0 ? [...api.storeEndpoints] : config.advertiseClientUrls;
  const security = await loadSecurity(api.security, { log, clock: systemClock });
  const storeTls = security.storeTls === undefined ? {} : { tls: security.storeTls };
  const storage = new EtcdStorage({ endpoints, ...storeTls });
  const server = new ApiServer({
    storage: security.wrapStorage(storage),
    clock: systemClock,
    log,
    options: {
      name: config.name,
      storeStatus: new EtcdStoreStatus(endpoints, undefined, security.storeTls),
      maxRequestBytes: Math.min(config.maxRequestBytes, DEFAULT_MAX_REQUEST_BYTES),
      serviceRanges: api.serviceRanges,
      defaultTolerationSeconds: { notReadySeconds: api.nodeLifecycle.defaultNotReadyTolerationSeconds, unreachableSeconds: api.nodeLifecycle.defaultUnreachableTolerationSeconds },
      kubernetesService: { advertiseIp: apiAdvertiseIp(api.listenAddress, config.advertiseClientUrls) },
      ...security.options,
    },
  });
  let grpcPort: number;
  try {
    ({ grpcPort } = await server.listen({ grpc: api.listenAddress, http: api.httpListenAddress }, { waitReady: false }));
  } catch (e) {
    await server.close();
    await storage.close();
    await security.close();
    throw e;
  }
  const loops = loopSettings === undefined ? undefined : startControlLoops(loopSettings, localApiAddress(api.listenAddress, grpcPort), config.name, log);
  return { server, storage, loops, security };
}

async function main(config: StoreConfig, api: ApiConfig | undefined, loopSettings: ControlLoopsSettings | undefined, hooks: Omit<HostRun, 'argv'>): Promise<void> {
  const log = createLogger(config.logLevel, { app: 'shoal-control-plane' });
  const member = await StoreMember.start(config, log);
  let exiting = false;
  let apiStarting: Promise<Api | undefined> = Promise.resolve(undefined);
  const exit = (code: number, why: string): void => {
    if (exiting) return;
    exiting = true;
    log.info({ why }, 'stopping');
    const hard = setTimeout(() => process.exit(code), 15_000);
    hard.unref();
    // The control loops stop first (releasing their leases), then the API server (its watchers
    // move to another member), then the store member.
    apiStarting
      .then(async (a) => {
        await a?.loops?.stop();
        await a?.server.close();
        await a?.storage.close();
        await a?.security.close();
      })
      .catch((e: unknown) => log.warn({ err: (e as Error).message }, 'API server stop failed'))
      .then(() => member.stop())
      .then(
        () => process.exit(code),
        (e: unknown) => {
          log.error({ err: (e as Error).message }, 'stop failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => exit(0, 'SIGTERM'));
  process.on('SIGINT', () => exit(0, 'SIGINT'));
  member.onRemovedFromCluster(() => exit(0, 'removed from the cluster'));
  member.node.onFailure((e) => {
    log.error({ err: e.message }, 'raft node failed; exiting');
    exit(1, 'raft failure');
  });
  member.ready.then(
    () => {
      if (api === undefined || exiting) return;
      const before = hooks.beforeApi?.() ?? Promise.resolve();
      apiStarting = before
        .then(() => (exiting ? undefined : startApi(config, api, loopSettings, log)))
        .catch((e: unknown) => {
          log.error({ err: (e as Error).message }, 'the API server could not start');
          exit(1, 'API server start failed');
          return undefined;
        });
      apiStarting
        .then((a) => (a === undefined || exiting ? undefined : hooks.afterApi?.()))
        .catch((e: unknown) => {
          log.error({ err: (e as Error).message }, 'setting up the cluster after the API server started failed');
          exit(1, 'bootstrap failed');
        });
    },
    (e: unknown) => {
      if (!exiting) {
        log.error({ err: (e as Error).message }, 'member failed before serving clients');
        exit(1, 'start failed');
      }
    },
  );
}

const HELP = `${USAGE}\n\n${API_USAGE}\n\n${INIT_USAGE}\n\n${JOIN_USAGE}\n\nKey rotation:\n  ${ENCRYPTION_USAGE}`;

/** init/join set up the data directory first; anything else is flags (maybe from --config-file). */
async function hostRun(argv: readonly string[]): Promise<HostRun> {
  const deps: BootstrapDeps = {
    pki: { now: () => new Date(), randomBytes: (n) => randomBytes(n) },
    features: detectFeatures(),
    print: (text) => process.stdout.write(`${text}\n`),
  };
  const say = (msg: string): void => void process.stderr.write(`shoal-control-plane: ${msg}\n`);
  switch (argv[0]) {
    case 'init':
      return prepareInit(parseInitOptions(argv.slice(1), homedir()), deps);
    case 'join':
      return prepareJoin(parseJoinOptions(argv.slice(1), homedir()), deps, say);
    default:
      return { argv: await expandConfigFile(argv) };
  }
}

async function start(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--version' || argv[0] === 'version') {
    process.stdout.write(`${versionLine('shoal-control-plane')}\n`);
    process.exit(0);
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    const usage = argv[0] === 'init' ? INIT_USAGE : argv[0] === 'join' ? JOIN_USAGE : HELP;
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  let config: StoreConfig;
  let api: ApiConfig | undefined;
  let run: HostRun;
  let loopSettings: ControlLoopsSettings | undefined;
  try {
    run = await hostRun(argv);
    const split = loadApiConfig(run.argv);
    api = split.api;
    config = loadConfig(split.storeArgv);
    // The loops' files are read before anything starts: a bad one stops the start, nothing half-runs.
    loopSettings = api?.controlLoops === true ? await loadControlLoopsSettings(api, api.security.serviceAccountIssuer) : undefined;
  } catch (e) {
    const usage = e instanceof ConfigError || (e instanceof BootstrapError && e.code === 'bad-flags');
    process.stderr.write(`shoal-control-plane: ${(e as Error).message}\n${e instanceof ConfigError ? HELP + '\n' : ''}`);
    process.exit(usage ? 2 : 1);
  }
  await main(config, api, loopSettings, run);
}

const argv0 = process.argv[2];
if (argv0 === 'encryption') {
  runEncryptionCommand(process.argv.slice(3), (s) => process.stdout.write(s)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`shoal-control-plane: ${(e as Error).message}\n`);
      process.exit(e instanceof ConfigError ? 2 : 1);
    },
  );
} else {
  start().catch((e: unknown) => {
    process.stderr.write(`shoal-control-plane: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  });
}
