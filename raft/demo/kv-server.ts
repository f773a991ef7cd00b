// One member of the demo replicated key-value store: WAL + snapshot files on disk, gRPC to the
// other members, a small HTTP API on 127.0.0.1 (see kv-http.ts). Logs go to stderr.
//
//   node --import tsx raft/demo/kv-server.ts --id 1 \
//     --peers 1=127.0.0.1:2380,2=127.0.0.1:2381,3=127.0.0.1:2382 --data-dir /tmp/kv1 --http-port 8081
//
// SIGTERM/SIGINT stop it gracefully (a leader hands leadership over first); exit code 1 means
// it could not start or its storage failed.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bootstrapIfEmpty } from '../node/node-storage.js';
import type { NodeLogger } from '../node/raft-node.js';
import { RaftNode } from '../node/raft-node.js';
import { DurableStorage } from '../storage/durable-storage.js';
import { GrpcTransport } from '../transport/grpc-transport.js';
import type { KvServerArgs } from './args.js';
import { ArgsError, parseKvServerArgs } from './args.js';
import { kvHttpHandler } from './kv-http.js';
import { KvStateMachine } from './kv-state-machine.js';

function stderrLogger(prefix: string): NodeLogger {
  const line = (level: string, msg: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${level} ${prefix}: ${msg}\n`);
  };
  return { info: (m) => line('info', m), warn: (m) => line('warn', m), error: (m) => line('error', m) };
}

async function main(args: KvServerArgs): Promise<void> {
  const logger = stderrLogger(`kv-${args.id}`);
  const durable = await DurableStorage.open(args.dataDir, { sync: args.fsync });
  for (const w of durable.warnings) logger.warn(`storage: ${w}`);
  if (await bootstrapIfEmpty(durable, [...args.peers.keys()])) {
    logger.info(`bootstrapped a new cluster in ${args.dataDir} with members ${[...args.peers.keys()].join(',')}`);
  }
  const transport = new GrpcTransport({ id: args.id, clusterId: args.clusterId, listen: args.peers.get(args.id)!, logger });
  for (const [id, address] of args.peers) if (id !== args.id) transport.addPeer(id, address);
  const sm = new KvStateMachine();
  const node = new RaftNode({
    id: args.id,
    storage: durable,
    transport,
    stateMachine: sm,
    raftConfig: { electionTick: args.electionTick, heartbeatTick: 1 },
    tickMs: args.tickMs,
    snapshotEvery: args.snapshotEvery,
    requestTimeoutMs: args.requestTimeoutMs,
    leaderSendsBeforePersist: args.leaderSendsBeforePersist,
    logger,
  });
  await node.start();

  const server = createServer({ keepAliveTimeout: 60_000 }, kvHttpHandler({ node, sm, defaultTimeoutMs: args.requestTimeoutMs }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(args.httpPort, args.httpHost, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  logger.info(`http on ${addr.address}:${addr.port}, raft peers on ${args.peers.get(args.id)}`);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping`);
    server.close();
    server.closeAllConnections();
    node.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error(`stop failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  node.onFailure((e) => {
    logger.error(`${e.message}; exiting`);
    process.exit(1);
  });
}

let args: KvServerArgs;
try {
  args = parseKvServerArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(e instanceof ArgsError ? 2 : 1);
}
main(args).catch((e: unknown) => {
  process.stderr.write(`kv-server ${args.id}: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
