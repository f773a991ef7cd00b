// shoal-control-plane: runs one control-plane member — the cluster store (an etcd v3 compatible
// member) and, with --api-listen-address, the API server next to it, which talks to the store
// through its client URLs like any etcd client. Flags use etcd's names; see
// `shoal-control-plane --help`.
//
// Exit codes: 0 after SIGTERM/SIGINT or after this member was removed from the cluster,
// 1 when it could not start or its storage failed, 2 for bad flags.
import { ApiServer, DEFAULT_MAX_REQUEST_BYTES, EtcdStoreStatus, systemClock } from './apiserver/index.js';
import { API_USAGE, loadApiConfig } from './apiserver/config.js';
import type { ApiConfig } from './apiserver/config.js';
import { loadSecurity } from './apiserver/security-setup.js';
import { ENCRYPTION_USAGE, runEncryptionCommand } from './apiserver/encryption-command.js';
import type { SecuritySetup } from './apiserver/security-setup.js';
import { EtcdStorage } from './apiserver/storage/index.js';
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

async function main(config: StoreConfig, api: ApiConfig | undefined, loopSettings: ControlLoopsSettings | undefined): Promise<void> {
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
      apiStarting = startApi(config, api, loopSettings, log).catch((e: unknown) => {
        log.error({ err: (e as Error).message }, 'the API server could not start');
        exit(1, 'API server start failed');
        return undefined;
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

const argv = process.argv.slice(2);
const HELP = `${USAGE}\n\n${API_USAGE}\n\nKey rotation:\n  ${ENCRYPTION_USAGE}`;
if (argv[0] === 'encryption') {
  runEncryptionCommand(argv.slice(1), (s) => process.stdout.write(s)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`shoal-control-plane: ${(e as Error).message}\n`);
      process.exit(e instanceof ConfigError ? 2 : 1);
    },
  );
} else {
  void startProcess();
}

async function startProcess(): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  let config: StoreConfig;
  let api: ApiConfig | undefined;
  let loopSettings: ControlLoopsSettings | undefined;
  try {
    const split = loadApiConfig(argv);
    api = split.api;
    config = loadConfig(split.storeArgv);
    // The loops' files are read before anything starts: a bad one stops the start, nothing half-runs.
    loopSettings = api?.controlLoops === true ? await loadControlLoopsSettings(api, api.security.serviceAccountIssuer) : undefined;
  } catch (e) {
    process.stderr.write(`shoal-control-plane: ${(e as Error).message}\n${e instanceof ConfigError ? HELP + '\n' : ''}`);
    process.exit(e instanceof ConfigError ? 2 : 1);
  }
  main(config, api, loopSettings).catch((e: unknown) => {
    process.stderr.write(`shoal-control-plane: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  });
}
