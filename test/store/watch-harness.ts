// A test harness for the Watch service: a gRPC server on 127.0.0.1 (port 0) with the real Watch
// service and a tiny KV stub (Range, Put, DeleteRange, Compact) that applies writes to an
// MvccStore and notifies the hub, as the store server will after Raft apply. The real store
// server is elsewhere; this is only enough for etcd clients to write and watch.
import * as grpc from '@grpc/grpc-js';
import { MvccStore } from '../../control-plane/store/mvcc/index.js';
import type { EtcdError, Event, Result } from '../../control-plane/store/mvcc/index.js';
import { createWatchService, mvccWatchSource, WatchHub } from '../../control-plane/store/watch/index.js';
import type { WatchServiceConfig } from '../../control-plane/store/watch/index.js';
import { KVService, WatchClient, WatchService } from '../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { KVServer, ResponseHeader } from '../../proto/gen/etcd/etcdserverpb/rpc.js';

export const HEADER = { clusterId: 11, memberId: 22, raftTerm: 3 } as const;

export interface HarnessOptions extends Partial<Omit<WatchServiceConfig, 'hub' | 'header'>> {
  readonly maxBufferedEvents?: number;
  readonly historyBatchEvents?: number;
}

export class Harness {
  readonly store = new MvccStore();
  readonly hub: WatchHub;
  server = new grpc.Server();
  port = 0;
  private readonly services: [grpc.ServiceDefinition, grpc.UntypedServiceImplementation][];
  private readonly clients: grpc.Client[] = [];

  constructor(opts: HarnessOptions = {}) {
    const { maxBufferedEvents, historyBatchEvents, ...service } = opts;
    this.hub = new WatchHub({
      source: mvccWatchSource(this.store),
      ...(maxBufferedEvents === undefined ? {} : { maxBufferedEvents }),
      ...(historyBatchEvents === undefined ? {} : { historyBatchEvents }),
    });
    const header = (): ResponseHeader => ({ ...HEADER, revision: this.store.revision });
    this.services = [
      [WatchService, createWatchService({ hub: this.hub, header, ...service })],
      [KVService, this.kv(header)],
    ];
    for (const [def, impl] of this.services) this.server.addService(def, impl);
  }

  async start(): Promise<this> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(`127.0.0.1:${this.port}`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    return this;
  }

  /** Stops serving (every call fails, clients see the connection drop); the store and the hub
   * stay, and writes can still be applied. */
  down(): void {
    this.server.forceShutdown();
  }

  /** Serves again on the same port, with the same store and hub. */
  async up(): Promise<void> {
    this.server = new grpc.Server();
    for (const [def, impl] of this.services) this.server.addService(def, impl);
    await this.start();
  }

  get endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** A raw generated Watch client (closed by stop()). */
  watchClient(options: grpc.ClientOptions = {}): WatchClient {
    const c = new WatchClient(this.endpoint, grpc.credentials.createInsecure(), options);
    this.clients.push(c);
    return c;
  }

  /** Applies a write and notifies the hub; returns the revision. */
  apply<R extends { revision: number; events: readonly Event[] }>(r: Result<R>): R {
    if (!r.ok) throw new Error(`write refused: ${r.error.message}`);
    this.hub.notify(r.value.revision, r.value.events);
    return r.value;
  }

  put(key: string | Uint8Array, value: string | Uint8Array): number {
    return this.apply(this.store.put({ key: bytes(key), value: bytes(value) })).revision;
  }

  del(key: string): number {
    return this.apply(this.store.deleteRange({ key: bytes(key) })).revision;
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.close();
    this.server.forceShutdown();
  }

  private kv(header: () => ResponseHeader): KVServer {
    const answer = <T>(cb: grpc.sendUnaryData<T>, r: Result<T>): void => {
      if (r.ok) cb(null, r.value);
      else cb(statusOf(r.error));
    };
    return {
      range: (call, cb) => {
        const q = call.request;
        const r = this.store.range({ key: q.key, rangeEnd: q.rangeEnd, limit: q.limit, revision: q.revision, keysOnly: q.keysOnly, countOnly: q.countOnly });
        answer(cb, r.ok ? { ok: true, value: { header: header(), kvs: r.value.kvs, more: r.value.more, count: r.value.count } } : r);
      },
      put: (call, cb) => {
        const r = this.store.put(call.request);
        if (r.ok) this.hub.notify(r.value.revision, r.value.events);
        answer(cb, r.ok ? { ok: true, value: { header: header(), prevKv: r.value.response.prevKv } } : r);
      },
      deleteRange: (call, cb) => {
        const r = this.store.deleteRange(call.request);
        if (r.ok) this.hub.notify(r.value.revision, r.value.events);
        answer(cb, r.ok ? { ok: true, value: { header: header(), deleted: r.value.response.deleted, prevKvs: r.value.response.prevKvs } } : r);
      },
      txn: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED, details: 'not in the watch test harness' }),
      compact: (call, cb) => {
        const r = this.store.compact(call.request.revision);
        answer(cb, r.ok ? { ok: true, value: { header: header() } } : r);
      },
    };
  }
}

function statusOf(e: EtcdError): Partial<grpc.StatusObject> {
  return { code: e.grpcCode, details: e.message };
}

export function bytes(s: string | Uint8Array): Uint8Array {
  return typeof s === 'string' ? new TextEncoder().encode(s) : s;
}
