// API servers in this process sharing ONE in-memory storage, on loopback ports: several servers
// of one cluster, any of which can be stopped (or started again) while clients use the others.
import pino from 'pino';
import type { Test } from 'tap';
import { ApiServer, systemClock } from '../../../control-plane/apiserver/index.js';
import type { ApiServerOptions } from '../../../control-plane/apiserver/index.js';
import { MemoryStorage } from '../../../control-plane/apiserver/storage/index.js';

export class ApiServers {
  readonly storage = new MemoryStorage();
  private readonly running = new Map<string, ApiServer>();
  /** host:port of every server started, in start order (stopped ones included). */
  readonly addresses: string[] = [];

  private constructor(private readonly options: Partial<ApiServerOptions>) {}

  static async start(t: Test, count: number, options: Partial<ApiServerOptions> = {}): Promise<ApiServers> {
    const s = new ApiServers(options);
    t.teardown(() => s.closeAll());
    for (let i = 0; i < count; i++) await s.startOne();
    return s;
  }

  /** Starts a server (on `address`'s port to bring a stopped one back). */
  async startOne(address?: string): Promise<string> {
    const server = new ApiServer({
      storage: this.storage,
      clock: systemClock,
      log: pino({ level: process.env.SHOAL_TEST_LOG ?? 'silent' }),
      options: { processMetrics: false, bookmarkIntervalMs: 200, name: `test-${this.addresses.length}`, ...this.options },
    });
    const { grpcPort } = await server.listen({ grpc: address ?? '127.0.0.1:0' });
    const a = `127.0.0.1:${grpcPort}`;
    this.running.set(a, server);
    if (!this.addresses.includes(a)) this.addresses.push(a);
    return a;
  }

  /** Stops one server (its watches end, its port closes); the storage stays. */
  async stop(address: string): Promise<void> {
    const s = this.running.get(address);
    this.running.delete(address);
    await s?.close();
  }

  /** Makes every revision up to the current one unreadable: watches from older ones get "too old". */
  async compactAll(): Promise<number> {
    const rev = await this.storage.currentRevision();
    this.storage.compact(rev);
    return rev;
  }

  async closeAll(): Promise<void> {
    for (const a of [...this.running.keys()]) await this.stop(a);
    await this.storage.close();
  }
}
