// `node --import tsx scripts/bench/api-server-process.ts --api-listen-address HOST:PORT
//      [--api-http-listen-address HOST:PORT] --api-store-endpoints URLS [--name NAME]`
//
// Shoal's API server alone (no store member in the process), over EtcdStorage for the given
// store client URLs: `npm run bench -- api` runs three of these next to a real etcd as the
// reference for the API server over the Shoal store. Same API flags as shoal-control-plane.
// SIGTERM/SIGINT stop it (and let `--cpu-prof` write its profile).
import { ApiServer, EtcdStoreStatus, systemClock } from '../../control-plane/apiserver/index.js';
import { loadApiConfig } from '../../control-plane/apiserver/config.js';
import { EtcdStorage } from '../../control-plane/apiserver/storage/index.js';
import { createLogger } from '../../control-plane/store/index.js';

function fail(msg: string): never {
  process.stderr.write(`api-server-process: ${msg}\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
const nameAt = argv.indexOf('--name');
const name = nameAt >= 0 ? argv.splice(nameAt, 2)[1] : 'bench';
let split: ReturnType<typeof loadApiConfig>;
try {
  split = loadApiConfig(argv);
} catch (e) {
  fail((e as Error).message);
}
const { api, storeArgv } = split;
if (api === undefined) fail('--api-listen-address is required');
if (api.storeEndpoints.length === 0) fail('--api-store-endpoints is required (there is no store member in this process)');
if (storeArgv.length > 0 || name === undefined) fail(`unexpected arguments: ${storeArgv.join(' ') || '--name without a value'}`);

const log = createLogger('warn', { app: 'api-server-process', name });
const endpoints = [...api.storeEndpoints];
const storage = new EtcdStorage({ endpoints });
const server = new ApiServer({ storage, clock: systemClock, log, options: { name, storeStatus: new EtcdStoreStatus(endpoints) } });
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 10_000).unref();
  server
    .close()
    .then(() => storage.close())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
await server.listen({ grpc: api.listenAddress, http: api.httpListenAddress }, { waitReady: false });
