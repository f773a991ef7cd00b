// Storage over etcd's v3 gRPC API (a real etcd or the Shoal store), with failover between the
// members given as endpoints (see etcd-endpoints.ts for the retry rule, etcd-watch.ts for watches).
//
// Writes are compare-and-swap transactions:
//   create: txn(create_revision(key) == 0) put       else range(key)
//   update: txn(mod_revision(key) == expected) put   else range(key)
//   delete: txn(mod_revision(key) == expected) delete else range(key)
// A retried write whose earlier attempt may have been applied checks for its own success
// instead of reporting the failure its own first attempt caused:
//   create that finds the key holding exactly its bytes -> success (the stored value);
//   update that finds Conflict with exactly its bytes at a newer revision -> success;
//   delete that finds the key gone or recreated -> success if the first change after the
//   expected revision was a delete (read from history; if that is compacted: 'Unavailable',
//   outcome unknown).
// currentRevision is the header of a linearizable count-only range of one key (one round trip).
// compactedRevision: a count-only range at revision 1 (answers "never compacted" in one round
// trip); if that is compacted, a binary search over count-only ranges at older revisions finds
// the lowest readable one (log2(current) round trips; the answer was the oldest readable
// revision at some instant during the call). etcd has no cheaper exact way: its watch reports
// the compaction only from its 100 ms sync loop, and HashKV hashes the whole keyspace.
import type { DeleteRangeRequest, PutRequest, RangeRequest, RangeResponse, TxnRequest, TxnResponse } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import { Compare_CompareResult, Compare_CompareTarget } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { KeyValue } from '../../../proto/gen/etcd/mvccpb/kv.js';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import { Endpoints, unary } from './etcd-endpoints.js';
import type { Attempt, FailoverInfo, StoreTls } from './etcd-endpoints.js';
import { EtcdWatch } from './etcd-watch.js';
import type { StorageWatchEvent } from './storage.js';
import { keyBytes, prefixRangeEnd, sameBytes } from './keys.js';
import { checkExpected, checkKey, checkListOptions } from './validate.js';
import { StorageError, StorageErrorCode } from './storage.js';
import type { ListOptions, ListResult, Storage, StorageWatch, StorageWatchHandlers, StoredValue } from './storage.js';

export interface EtcdStorageOptions {
  /** Store members, e.g. ['http://127.0.0.1:2379', ...]; calls fail over between them. */
  readonly endpoints: readonly string[];
  /** Deadline of one call to one member. Default 5 s. */
  readonly callTimeoutMs?: number;
  /** A call or a broken watch gives up with 'Unavailable' after this long. Default 10 s. */
  readonly retryTimeoutMs?: number;
  /** First retry delay, doubling up to maxBackoffMs. Defaults 25 ms and 1 s. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly clock?: Clock;
  /** Told whenever a call or watch moves to the next endpoint. */
  readonly onFailover?: (info: FailoverInfo) => void;
  /** TLS for https:// endpoints (absent: plaintext http://). */
  readonly tls?: StoreTls;
}

const decoder = new TextDecoder();
/** Count-only ranges (revision probes) read this key; any key works. */
const PROBE_KEY = Uint8Array.of(0);

function rangeRequest(key: Uint8Array, extra: Partial<RangeRequest> = {}): RangeRequest {
  return {
    key,
    rangeEnd: new Uint8Array(0),
    limit: 0,
    revision: 0,
    sortOrder: 0,
    sortTarget: 0,
    serializable: false,
    keysOnly: false,
    countOnly: false,
    minModRevision: 0,
    maxModRevision: 0,
    minCreateRevision: 0,
    maxCreateRevision: 0,
    ...extra,
  };
}

function putRequest(key: Uint8Array, value: Uint8Array): PutRequest {
  return { key, value, lease: 0, prevKv: true, ignoreValue: false, ignoreLease: false };
}

function deleteRequest(key: Uint8Array): DeleteRangeRequest {
  return { key, rangeEnd: new Uint8Array(0), prevKv: true };
}

function toStored(kv: KeyValue): StoredValue {
  return { key: decoder.decode(kv.key), value: kv.value, createRevision: kv.createRevision, modRevision: kv.modRevision };
}

function revisionOf(header: { revision: number } | undefined, what: string): number {
  if (header === undefined) throw new StorageError(StorageErrorCode.Unavailable, `${what}: response without header`);
  return header.revision;
}

export class EtcdStorage implements Storage {
  private readonly endpoints: Endpoints;
  private readonly watches = new Set<EtcdWatch>();
  private closed = false;

  constructor(options: EtcdStorageOptions) {
    const policy = {
      callTimeoutMs: options.callTimeoutMs ?? 5_000,
      retryTimeoutMs: options.retryTimeoutMs ?? 10_000,
      backoffMs: options.backoffMs ?? 25,
      maxBackoffMs: options.maxBackoffMs ?? 1_000,
    };
    for (const [name, v] of Object.entries(policy)) {
      if (!Number.isFinite(v) || v <= 0) throw new TypeError(`EtcdStorage: ${name} must be a positive number, got ${v}`);
    }
    this.endpoints = new Endpoints(options.endpoints, policy, options.clock ?? systemClock, options.onFailover, options.tls);
  }

  async get(key: string): Promise<StoredValue | undefined> {
    checkKey(key);
    const r = await this.run('get', (a) => this.range(a, rangeRequest(keyBytes(key))));
    const kv = r.kvs[0];
    return kv === undefined ? undefined : toStored(kv);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    checkListOptions(prefix, options);
    const p = keyBytes(prefix);
    const start = options.startKey === undefined ? p : keyBytes(options.startKey);
    const req = rangeRequest(start.length === 0 ? PROBE_KEY : start, {
      rangeEnd: prefixRangeEnd(p),
      limit: options.limit ?? 0,
      revision: options.revision ?? 0,
    });
    let r: RangeResponse;
    try {
      r = await this.run('list', (a) => this.range(a, req));
    } catch (e) {
      throw await this.withCompactRevision(e);
    }
    const items = r.kvs.map(toStored);
    return { items, revision: req.revision > 0 ? req.revision : revisionOf(r.header, 'list'), more: r.more, remaining: Math.max(0, r.count - items.length) };
  }

  async create(key: string, value: Uint8Array): Promise<StoredValue> {
    checkKey(key);
    const k = keyBytes(key);
    return this.run('create', async (a) => {
      const r = await this.txn(a, {
        compare: [{ result: Compare_CompareResult.EQUAL, target: Compare_CompareTarget.CREATE, key: k, createRevision: 0, rangeEnd: new Uint8Array(0) }],
        success: [{ requestPut: putRequest(k, value) }],
        failure: [{ requestRange: rangeRequest(k) }],
      });
      const rev = revisionOf(r.header, 'create');
      if (r.succeeded) return { key, value, createRevision: rev, modRevision: rev };
      const existing = firstKv(r);
      if (a.maybeApplied && existing !== undefined && sameBytes(existing.value, value)) return toStored(existing);
      throw new StorageError(StorageErrorCode.AlreadyExists, `key ${key} already exists`);
    });
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<StoredValue> {
    checkKey(key);
    checkExpected(expectedModRevision);
    const k = keyBytes(key);
    return this.run('update', async (a) => {
      const r = await this.txn(a, {
        compare: [modRevisionIs(k, expectedModRevision)],
        success: [{ requestPut: putRequest(k, value) }],
        failure: [{ requestRange: rangeRequest(k) }],
      });
      const rev = revisionOf(r.header, 'update');
      if (r.succeeded) {
        const prev = r.responses[0]?.responsePut?.prevKv;
        if (prev === undefined) throw new StorageError(StorageErrorCode.Unavailable, `update ${key}: the store did not return the previous value`);
        return { key, value, createRevision: prev.createRevision, modRevision: rev };
      }
      const cur = firstKv(r);
      if (cur === undefined) throw new StorageError(StorageErrorCode.NotFound, `key ${key} not found`);
      if (a.maybeApplied && cur.modRevision > expectedModRevision && sameBytes(cur.value, value)) return toStored(cur);
      throw new StorageError(StorageErrorCode.Conflict, `key ${key} is at revision ${cur.modRevision}, not ${expectedModRevision}`);
    });
  }

  async delete(key: string, expectedModRevision: number): Promise<{ readonly prev: StoredValue; readonly revision: number }> {
    checkKey(key);
    checkExpected(expectedModRevision);
    const k = keyBytes(key);
    return this.run('delete', async (a) => {
      const r = await this.txn(a, {
        compare: [modRevisionIs(k, expectedModRevision)],
        success: [{ requestDeleteRange: deleteRequest(k) }],
        failure: [{ requestRange: rangeRequest(k) }],
      });
      const rev = revisionOf(r.header, 'delete');
      if (r.succeeded) {
        const prev = r.responses[0]?.responseDeleteRange?.prevKvs[0];
        if (prev === undefined) throw new StorageError(StorageErrorCode.Unavailable, `delete ${key}: the store did not return the deleted value`);
        return { prev: toStored(prev), revision: rev };
      }
      const cur = firstKv(r);
      if (a.maybeApplied && (cur === undefined || cur.modRevision > expectedModRevision)) {
        const mine = await this.deletedAt(a, key, expectedModRevision);
        if (mine !== undefined) return mine;
      }
      if (cur === undefined) throw new StorageError(StorageErrorCode.NotFound, `key ${key} not found`);
      throw new StorageError(StorageErrorCode.Conflict, `key ${key} is at revision ${cur.modRevision}, not ${expectedModRevision}`);
    });
  }

  watch(prefix: string, fromRevision: number, handlers: StorageWatchHandlers): StorageWatch {
    if (this.closed) throw new StorageError(StorageErrorCode.Closed, 'storage closed');
    if (typeof prefix !== 'string') throw new TypeError('storage: prefix must be a string');
    if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) throw new TypeError(`storage: fromRevision must be an integer >= 0, got ${fromRevision}`);
    const p = keyBytes(prefix);
    const w = new EtcdWatch(this.endpoints, p.length === 0 ? PROBE_KEY : p, prefixRangeEnd(p), fromRevision, handlers, (x) => this.watches.delete(x));
    this.watches.add(w);
    return w;
  }

  async currentRevision(): Promise<number> {
    const r = await this.run('currentRevision', (a) => this.range(a, rangeRequest(PROBE_KEY, { countOnly: true })));
    return revisionOf(r.header, 'currentRevision');
  }

  async compactedRevision(): Promise<number> {
    const readable = async (rev: number): Promise<boolean> => {
      try {
        await this.run('compactedRevision', (a) => this.range(a, rangeRequest(PROBE_KEY, { countOnly: true, revision: rev })));
        return true;
      } catch (e) {
        if (e instanceof StorageError && e.code === StorageErrorCode.Compacted) return false;
        throw e;
      }
    };
    if (await readable(1)) return 1;
    // Invariant: lo is compacted, hi is readable (the current revision always is).
    let lo = 1;
    let hi = await this.currentRevision();
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await readable(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watches]) w.end(new StorageError(StorageErrorCode.Closed, 'storage closed'));
    this.endpoints.close();
  }

  // --- internals ---

  private run<T>(what: string, attempt: (a: Attempt) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StorageError(StorageErrorCode.Closed, `${what}: storage closed`));
    return this.endpoints.run(what, attempt, () => this.closed);
  }

  private range(a: Attempt, req: RangeRequest): Promise<RangeResponse> {
    const kv = a.endpoint.kv;
    return unary(kv, kv.range, req, a.deadline);
  }

  private txn(a: Attempt, req: TxnRequest): Promise<TxnResponse> {
    const kv = a.endpoint.kv;
    return unary(kv, kv.txn, req, a.deadline);
  }

  /** Fills in compactRevision of a Compacted error (best effort: 0 if it cannot be read). */
  private async withCompactRevision(e: unknown): Promise<unknown> {
    if (!(e instanceof StorageError) || e.code !== StorageErrorCode.Compacted || e.compactRevision > 0) return e;
    const rev = await this.compactedRevision().catch(() => 0);
    return new StorageError(StorageErrorCode.Compacted, e.message, rev, { cause: e.cause });
  }

  /**
   * Whether the first change to key after `after` was a delete (ours, or an identical CAS delete
   * of the same version: indistinguishable and equivalent). Read from the store's history
   * through a one-shot watch; undefined when it was not a delete.
   */
  private async deletedAt(a: Attempt, key: string, after: number): Promise<{ prev: StoredValue; revision: number } | undefined> {
    const first = await new Promise<StorageWatchEvent | StorageError>((resolve) => {
      const k = keyBytes(key);
      let done = false;
      const finish = (v: StorageWatchEvent | StorageError): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        w.close();
        resolve(v);
      };
      const timer = setTimeout(() => finish(new StorageError(StorageErrorCode.Unavailable, `delete ${key}: outcome unknown (history not read in time)`)), Math.max(0, a.deadline - this.endpoints.clock.now()));
      const w = new EtcdWatch(this.endpoints, k, new Uint8Array(0), after, {
        onEvents: (events) => finish(events[0] as StorageWatchEvent),
        onError: (err) => finish(new StorageError(StorageErrorCode.Unavailable, `delete ${key}: outcome unknown (${err.message})`, 0, { cause: err })),
      }, () => {});
    });
    if (first instanceof StorageError) throw first;
    if (first.type !== 'delete' || first.prevValue === undefined) return undefined;
    const prev = await this.range(a, rangeRequest(keyBytes(key), { revision: after }));
    const kv = prev.kvs[0];
    if (kv === undefined) return undefined;
    return { prev: toStored(kv), revision: first.modRevision };
  }
}

function modRevisionIs(key: Uint8Array, rev: number): TxnRequest['compare'][number] {
  return { result: Compare_CompareResult.EQUAL, target: Compare_CompareTarget.MOD, key, modRevision: rev, rangeEnd: new Uint8Array(0) };
}

function firstKv(r: TxnResponse): KeyValue | undefined {
  return r.responses[0]?.responseRange?.kvs[0];
}
