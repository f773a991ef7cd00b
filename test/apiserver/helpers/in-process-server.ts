// An API server in this process over the in-memory storage, on a free loopback port: the fast
// way to test API semantics. Closed in t.teardown.
import pino from 'pino';
import { ApiServer, systemClock } from '../../../control-plane/apiserver/index.js';
import type { ApiServerOptions, Clock } from '../../../control-plane/apiserver/index.js';
import { MemoryStorage } from '../../../control-plane/apiserver/storage/index.js';
import type { Storage } from '../../../control-plane/apiserver/storage/index.js';
import { ApiConn } from './api-conn.js';

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

export interface InProcess {
  readonly server: ApiServer;
  readonly storage: Storage;
  readonly conn: ApiConn;
  readonly address: string;
  readonly httpUrl: string;
}

/** storage: defaults to a fresh MemoryStorage (closed in teardown either way). */
export async function startInProcess(t: Teardown, opts: { options?: Partial<ApiServerOptions>; clock?: Clock; storage?: Storage } = {}): Promise<InProcess> {
  const storage = opts.storage ?? new MemoryStorage();
  const server = new ApiServer({ storage, clock: opts.clock ?? systemClock, log: pino({ level: process.env.SHOAL_TEST_LOG ?? 'silent' }), options: { processMetrics: false, ...opts.options } });
  const { grpcPort, httpPort } = await server.listen({ grpc: '127.0.0.1:0', http: '127.0.0.1:0' });
  const address = `127.0.0.1:${grpcPort}`;
  const conn = new ApiConn(address);
  t.teardown(async () => {
    conn.close();
    await server.close();
    await storage.close();
  });
  return { server, storage, conn, address, httpUrl: `http://127.0.0.1:${httpPort}` };
}
