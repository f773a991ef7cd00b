// A real etcd 3.4 (Debian's etcd-server) and the MVCC core get the same requests; their answers
// must agree: revisions, key-values, counts, more flags, txn branches, watch events and etcd's
// error codes and messages. The requests reach etcd through our proto/etcd/*.proto files,
// loaded by @grpc/proto-loader (a codec independent of ts-proto), which also checks that those
// files are wire-compatible: a wrong package, name or field number fails here.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  CompareResult,
  CompareTarget,
  MvccStore,
  prefixEnd,
  SortOrder,
  SortTarget,
} from '../../control-plane/store/mvcc/index.js';
import type {
  Command,
  Compare,
  DeleteRangeRequest,
  PutRequest,
  RangeRequest,
  RequestOp,
  Result,
  TxnRequest,
} from '../../control-plane/store/mvcc/index.js';

import { Generator, prng, show } from './helpers/random-ops.js';
import { freePort } from './helpers/store-cluster.js';

const ETCD = '/usr/bin/etcd';

// ---- Plain JSON shapes of what both sides answer, for t.same.

type KvJson = { key: string; value: string; create: number; mod: number; version: number; lease: number };
type Answer = Record<string, unknown>;

const latin1 = (u: Uint8Array): string => Buffer.from(u).toString('latin1');
const buf = (s: string): Buffer => Buffer.from(s, 'latin1');

interface WireKv {
  key: Buffer;
  value: Buffer;
  createRevision: string;
  modRevision: string;
  version: string;
  lease: string;
}

function wireKv(kv: WireKv | null | undefined): KvJson | null {
  if (kv === null || kv === undefined) return null;
  return {
    key: latin1(kv.key),
    value: latin1(kv.value),
    create: Number(kv.createRevision),
    mod: Number(kv.modRevision),
    version: Number(kv.version),
    lease: Number(kv.lease),
  };
}

function coreKv(kv: { key: Uint8Array; value: Uint8Array; createRevision: number; modRevision: number; version: number; lease: number } | undefined): KvJson | null {
  if (kv === undefined) return null;
  return { key: latin1(kv.key), value: latin1(kv.value), create: kv.createRevision, mod: kv.modRevision, version: kv.version, lease: kv.lease };
}

// ---- Core requests -> proto-loader request objects (camelCase fields, Buffers for bytes).
// An absent range_end must not be sent as present-but-empty: etcd's gogoproto decoding turns
// that into a non-nil empty slice, which etcd reads as "every key >= key". Real clients (Go
// proto, the etcd3 package) omit empty fields; so do these helpers.

const end = (rangeEnd: Uint8Array | undefined): object =>
  rangeEnd === undefined || rangeEnd.length === 0 ? {} : { rangeEnd: Buffer.from(rangeEnd) };
const wireRange = (r: RangeRequest): object => ({
  key: Buffer.from(r.key),
  ...end(r.rangeEnd),
  limit: r.limit ?? 0,
  revision: r.revision ?? 0,
  sortOrder: r.sortOrder ?? 0,
  sortTarget: r.sortTarget ?? 0,
  serializable: false,
  keysOnly: r.keysOnly ?? false,
  countOnly: r.countOnly ?? false,
  minModRevision: r.minModRevision ?? 0,
  maxModRevision: r.maxModRevision ?? 0,
  minCreateRevision: r.minCreateRevision ?? 0,
  maxCreateRevision: r.maxCreateRevision ?? 0,
});
const wirePut = (p: PutRequest): object => ({
  key: Buffer.from(p.key),
  ...(p.value === undefined || p.value.length === 0 ? {} : { value: Buffer.from(p.value) }),
  lease: p.lease ?? 0,
  prevKv: p.prevKv ?? false,
  ignoreValue: p.ignoreValue ?? false,
  ignoreLease: p.ignoreLease ?? false,
});
const wireDelete = (d: DeleteRangeRequest): object => ({
  key: Buffer.from(d.key),
  ...end(d.rangeEnd),
  prevKv: d.prevKv ?? false,
});
const wireCompare = (c: Compare): object => {
  const operand: Record<string, unknown> = {};
  if (c.version !== undefined) operand['version'] = c.version;
  if (c.createRevision !== undefined) operand['createRevision'] = c.createRevision;
  if (c.modRevision !== undefined) operand['modRevision'] = c.modRevision;
  if (c.value !== undefined) operand['value'] = Buffer.from(c.value);
  if (c.lease !== undefined) operand['lease'] = c.lease;
  return { key: Buffer.from(c.key), ...end(c.rangeEnd), target: c.target, result: c.result, ...operand };
};
const wireOp = (op: RequestOp): object => {
  switch (op.type) {
    case 'range':
      return { requestRange: wireRange(op.range) };
    case 'put':
      return { requestPut: wirePut(op.put) };
    case 'deleteRange':
      return { requestDeleteRange: wireDelete(op.deleteRange) };
    case 'txn':
      return { requestTxn: wireTxn(op.txn) };
  }
};
const wireTxn = (r: TxnRequest): object => ({
  compare: (r.compare ?? []).map(wireCompare),
  success: (r.success ?? []).map(wireOp),
  failure: (r.failure ?? []).map(wireOp),
});

// ---- Response normalizers (the same JSON from both sides).

function wireAnswer(kind: string, r: any): Answer {
  switch (kind) {
    case 'range':
      return { revision: Number(r.header.revision), kvs: r.kvs.map(wireKv), more: r.more, count: Number(r.count) };
    case 'put':
      return { revision: Number(r.header.revision), prevKv: wireKv(r.prevKv) };
    case 'deleteRange':
      return { revision: Number(r.header.revision), deleted: Number(r.deleted), prevKvs: r.prevKvs.map(wireKv) };
    case 'txn':
      return { revision: Number(r.header.revision), succeeded: r.succeeded, responses: r.responses.map(wireOpAnswer) };
    default:
      throw new Error(kind);
  }
}
function wireOpAnswer(r: any): Answer {
  if (r.responseRange) return { range: { ...wireAnswer('range', r.responseRange), revision: undefined } };
  if (r.responsePut) return { put: { ...wireAnswer('put', r.responsePut), revision: undefined } };
  if (r.responseDeleteRange) return { deleteRange: { ...wireAnswer('deleteRange', r.responseDeleteRange), revision: undefined } };
  return { txn: { ...wireAnswer('txn', r.responseTxn), revision: undefined } };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function coreOpAnswer(r: import('../../control-plane/store/mvcc/index.js').ResponseOp): Answer {
  // etcd leaves the headers inside a txn response empty; only the outer revision is compared.
  switch (r.type) {
    case 'range':
      return { range: { revision: undefined, kvs: r.range.kvs.map(coreKv), more: r.range.more, count: r.range.count } };
    case 'put':
      return { put: { revision: undefined, prevKv: coreKv(r.put.prevKv) } };
    case 'deleteRange':
      return { deleteRange: { revision: undefined, deleted: r.deleteRange.deleted, prevKvs: r.deleteRange.prevKvs.map(coreKv) } };
    case 'txn':
      return { txn: { revision: undefined, succeeded: r.txn.succeeded, responses: r.txn.responses.map(coreOpAnswer) } };
  }
}

function coreAnswer<T>(r: Result<T>, f: (v: T) => Answer): Answer {
  return r.ok ? f(r.value) : { error: { code: r.error.grpcCode, message: r.error.message } };
}

// ---- etcd process


type Unary = (req: object, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;

t.test('etcd side by side - the MVCC core answers like etcd 3.4 through our protos', { skip: existsSync(ETCD) ? false : 'etcd-server is not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-etcd-'));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const etcd = spawn(
    ETCD,
    [
      '--name', 'sbs',
      '--data-dir', dir,
      '--listen-client-urls', `http://127.0.0.1:${clientPort}`,
      '--advertise-client-urls', `http://127.0.0.1:${clientPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-cluster', `sbs=http://127.0.0.1:${peerPort}`,
      '--log-level', 'error',
    ],
    { stdio: 'ignore' },
  );
  t.teardown(() => {
    etcd.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const def = protoLoader.loadSync('etcd/etcdserverpb/rpc.proto', {
    includeDirs: [join(import.meta.dirname, '../../proto')],
    longs: String,
    enums: Number,
    defaults: true,
    oneofs: true,
  });
  const pkg = (grpc.loadPackageDefinition(def) as any).etcdserverpb;
  const target = `127.0.0.1:${clientPort}`;
  const creds = grpc.credentials.createInsecure();
  const kv = new pkg.KV(target, creds);
  const lease = new pkg.Lease(target, creds);
  const watch = new pkg.Watch(target, creds);
  const maint = new pkg.Maintenance(target, creds);
  const cluster = new pkg.Cluster(target, creds);
  t.teardown(() => [kv, lease, watch, maint, cluster].forEach((c) => c.close()));

  const call = (client: Record<string, Unary>, method: string, req: object): Promise<{ ok: true; res: unknown } | { ok: false; code: number; message: string }> =>
    new Promise((resolve) => {
      client[method]!.call(client, req, (err, res) => {
        if (err !== null) resolve({ ok: false, code: err.code, message: err.details });
        else resolve({ ok: true, res });
      });
    });

  // Wait for etcd to serve.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await call(maint, 'Status', {});
    if (r.ok) break;
    if (Date.now() > deadline) throw new Error(`etcd did not start: ${r.message}`);
    await new Promise((res) => setTimeout(res, 100));
  }

  const store = new MvccStore();
  const etcdAnswer = async (kind: string, method: string, req: object): Promise<Answer> => {
    const r = await call(kv, method, req);
    return r.ok ? wireAnswer(kind, r.res) : { error: { code: r.code, message: r.message } };
  };
  const same = async (name: string, etcd: Promise<Answer>, core: Answer): Promise<void> => {
    t.same(core, await etcd, name);
  };
  const range = (name: string, r: RangeRequest) => same(name, etcdAnswer('range', 'Range', wireRange(r)), coreAnswer(store.range(r), (v) => ({ revision: v.revision, kvs: v.kvs.map(coreKv), more: v.more, count: v.count })));
  const put = (name: string, p: PutRequest) => same(name, etcdAnswer('put', 'Put', wirePut(p)), coreAnswer(store.put(p), (v) => ({ revision: v.revision, prevKv: coreKv(v.response.prevKv) })));
  const del = (name: string, d: DeleteRangeRequest) => same(name, etcdAnswer('deleteRange', 'DeleteRange', wireDelete(d)), coreAnswer(store.deleteRange(d), (v) => ({ revision: v.revision, deleted: v.response.deleted, prevKvs: v.response.prevKvs.map(coreKv) })));
  const txn = (name: string, r: TxnRequest) => same(name, etcdAnswer('txn', 'Txn', wireTxn(r)), coreAnswer(store.txn(r), (v) => ({ revision: v.revision, succeeded: v.response.succeeded, responses: v.response.responses.map(coreOpAnswer) })));

  const k = (s: string): Uint8Array => buf(s);
  const ALL = { key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) };
  const p = (key: string, value: string, extra: Partial<PutRequest> = {}): RequestOp => ({ type: 'put', put: { key: k(key), value: k(value), ...extra } });

  await put('put a', { key: k('a'), value: k('1'), prevKv: true });
  await put('put a again with prev_kv', { key: k('a'), value: k('2'), prevKv: true });
  await put('put a/x', { key: k('a/x'), value: k('x') });
  await put('put b', { key: k('b'), value: k('0') });
  await put('put c\\xff', { key: new Uint8Array([0x63, 0xff]), value: k('binary') });
  await range('single key', { key: k('a') });
  await range('prefix with limit', { key: k('a'), rangeEnd: prefixEnd(k('a')), limit: 1 });
  await range('everything', ALL);
  await range('"\\0" end', { key: k('b'), rangeEnd: new Uint8Array([0]) });
  await range('count only', { ...ALL, countOnly: true });
  await range('keys only', { ...ALL, keysOnly: true });
  await range('sorted by value, descending, limited', { ...ALL, sortTarget: SortTarget.VALUE, sortOrder: SortOrder.DESCEND, limit: 2 });
  await range('sorted by mod revision', { ...ALL, sortTarget: SortTarget.MOD });
  await range('mod revision filter', { ...ALL, minModRevision: 4, maxModRevision: 5 });
  await range('create revision filter', { ...ALL, minCreateRevision: 3 });
  await range('past revision', { ...ALL, revision: 3 });
  await range('future revision', { ...ALL, revision: 100 });
  await range('empty key', { key: new Uint8Array(0) });
  await del('delete absent', { key: k('zzz') });
  await del('delete a prefix with prev_kvs', { key: k('a/'), rangeEnd: prefixEnd(k('a/')), prevKv: true });
  await put('ignore_value on absent key', { key: k('nope'), ignoreValue: true });
  await put('ignore_value on a key', { key: k('a'), ignoreValue: true, prevKv: true });
  await put('value with ignore_value', { key: k('a'), value: k('x'), ignoreValue: true });
  await put('unknown lease', { key: k('a'), value: k('x'), lease: 424242 });
  await txn('txn success with reads after writes and a nested txn', {
    compare: [{ key: k('a'), target: CompareTarget.VALUE, result: CompareResult.EQUAL, value: k('2') }],
    success: [
      p('c', '1'),
      { type: 'range', range: { key: k('c') } },
      { type: 'txn', txn: { compare: [{ key: k('b'), target: CompareTarget.VERSION, result: CompareResult.EQUAL, version: 1 }], success: [p('d', '1', { prevKv: true })], failure: [p('d', '0')] } },
      { type: 'deleteRange', deleteRange: { key: k('b'), prevKv: true } },
    ],
    failure: [p('c', '0')],
  });
  await txn('txn failure branch', {
    compare: [
      { key: k('a'), target: CompareTarget.MOD, result: CompareResult.GREATER, modRevision: 1 },
      { key: k('missing'), target: CompareTarget.VALUE, result: CompareResult.NOT_EQUAL, value: k('q') },
    ],
    success: [p('e', '1')],
    failure: [p('e', '2'), { type: 'range', range: { ...ALL, limit: 2 } }],
  });
  await txn('txn compare over a range and on lease', {
    compare: [
      { key: k('a'), rangeEnd: prefixEnd(k('a')), target: CompareTarget.CREATE, result: CompareResult.LESS, createRevision: 100 },
      { key: k('a'), target: CompareTarget.LEASE, result: CompareResult.EQUAL, lease: 0 },
    ],
    success: [p('f', '1')],
  });
  await txn('read-only txn', { success: [{ type: 'range', range: ALL }] });
  await txn('txn that deletes nothing', { success: [{ type: 'deleteRange', deleteRange: { key: k('nothing') } }] });
  await txn('duplicate key', { success: [p('g', '1'), p('g', '2')] });
  await txn('put inside a deleted range', { success: [{ type: 'deleteRange', deleteRange: { key: k('a'), rangeEnd: k('c') } }, p('b', '1')] });
  await txn('empty key in a compare', { compare: [{ key: new Uint8Array(0), target: CompareTarget.VERSION, result: CompareResult.EQUAL }] });
  await txn('unknown lease inside a txn', { success: [p('h', '1', { lease: 777 })] });

  // Leases: etcd applies them through raft; the core takes the same ID and TTL.
  const grant = await call(lease, 'LeaseGrant', { ID: 9001, TTL: 600 });
  t.ok(grant.ok, 'lease granted');
  t.equal(grant.ok ? Number((grant.res as { ID: string }).ID) : 0, 9001);
  store.leaseGrant(9001, 600);
  await put('put with a lease', { key: k('leased/1'), value: k('v'), lease: 9001 });
  await put('another with a lease', { key: k('leased/0'), value: k('v'), lease: 9001 });
  await put('ignore_lease keeps it', { key: k('leased/0'), value: k('w'), ignoreLease: true, prevKv: true });
  const ttl = await call(lease, 'LeaseTimeToLive', { ID: 9001, keys: true });
  t.same(ttl.ok ? (ttl.res as { keys: Buffer[] }).keys.map(latin1).sort() : null, store.leaseKeys(9001).map(latin1), 'keys attached to the lease');
  const dup = await call(lease, 'LeaseGrant', { ID: 9001, TTL: 5 });
  const coreDup = store.leaseGrant(9001, 5);
  t.same(dup.ok ? null : { code: dup.code, message: dup.message }, coreDup.ok ? 'ok' : { code: coreDup.error.grpcCode, message: coreDup.error.message }, 'lease already exists');
  t.ok((await call(lease, 'LeaseRevoke', { ID: 9001 })).ok);
  store.leaseRevoke(9001);
  const missing = await call(lease, 'LeaseRevoke', { ID: 9001 });
  const coreMissing = store.leaseRevoke(9001);
  t.same(missing.ok ? null : { code: missing.code, message: missing.message }, coreMissing.ok ? 'ok' : { code: coreMissing.error.grpcCode, message: coreMissing.error.message }, 'lease not found');
  await range('revoke deleted the keys in one revision', ALL);

  // Watch from a past revision: the same events with the same prev_kv.
  const watchFrom = (from: number): Promise<unknown[]> =>
    new Promise<unknown[]>((resolve, reject) => {
      const want = store.eventsFrom(from, ALL.key, ALL.rangeEnd);
      const total = want.type === 'events' ? want.events.length : 0;
      const stream = watch.Watch();
      const got: unknown[] = [];
      const done = (): void => {
        stream.end();
        stream.cancel();
        resolve(got);
      };
      stream.on('data', (res: { created: boolean; events: { type: number; kv: WireKv; prevKv: WireKv | null }[] }) => {
        for (const e of res.events) got.push({ type: e.type, kv: wireKv(e.kv), prevKv: wireKv(e.prevKv) });
        if (got.length >= total && (total > 0 || res.created)) done();
      });
      stream.on('error', (err: grpc.ServiceError) => (err.code === grpc.status.CANCELLED ? undefined : reject(err)));
      stream.write({ createRequest: { key: Buffer.from(ALL.key), rangeEnd: Buffer.from(ALL.rangeEnd), startRevision: from, prevKv: true } });
    });
  const coreEvents = (from: number): unknown[] | null => {
    const h = store.eventsFrom(from, ALL.key, ALL.rangeEnd);
    return h.type === 'events' ? h.events.map((e) => ({ type: e.type, kv: coreKv(e.kv), prevKv: coreKv(e.prevKv) })) : null;
  };
  t.same(await watchFrom(5), coreEvents(5), 'watch history');

  // Compaction, then its errors and the watch's compacted answer.
  const compactTo = 8;
  const c1 = await call(kv, 'Compact', { revision: compactTo, physical: true });
  t.ok(c1.ok, 'etcd compacted');
  t.ok(store.compact(compactTo).ok);
  for (const rev of [compactTo, 3]) {
    const e = await call(kv, 'Compact', { revision: rev });
    const c = store.compact(rev);
    t.same(e.ok ? null : { code: e.code, message: e.message }, c.ok ? 'ok' : { code: c.error.grpcCode, message: c.error.message }, `compact again at ${rev}`);
  }
  const fut = await call(kv, 'Compact', { revision: 1000 });
  const cfut = store.compact(1000);
  t.same(fut.ok ? null : { code: fut.code, message: fut.message }, cfut.ok ? 'ok' : { code: cfut.error.grpcCode, message: cfut.error.message }, 'compact in the future');
  await range('read below the compact revision', { ...ALL, revision: compactTo - 1 });
  await range('read at the compact revision', { ...ALL, revision: compactTo });
  const compacted = await new Promise<number>((resolve, reject) => {
    const stream = watch.Watch();
    stream.on('data', (res: { compactRevision: string; canceled: boolean }) => {
      if (Number(res.compactRevision) !== 0) {
        stream.end();
        stream.cancel();
        resolve(Number(res.compactRevision));
      }
    });
    stream.on('error', (err: grpc.ServiceError) => (err.code === grpc.status.CANCELLED ? undefined : reject(err)));
    stream.write({ createRequest: { key: Buffer.from(k('a')), startRevision: 2 } });
  });
  const coreCompacted = store.eventsFrom(2, k('a'));
  t.equal(compacted, coreCompacted.type === 'compacted' ? coreCompacted.compactRevision : -1, 'watch below the compact revision');

  // The rest of the API decodes through our protos.
  const status = await call(maint, 'Status', {});
  t.match(status.ok ? (status.res as { version: string }).version : '', /^3\.4\./, 'Status version');
  const hash = await call(maint, 'HashKV', { revision: 0 });
  t.equal(hash.ok ? Number((hash.res as { compactRevision: string }).compactRevision) : -1, compactTo, 'HashKV compact revision');
  const members = await call(cluster, 'MemberList', {});
  t.same(members.ok ? (members.res as { members: { name: string }[] }).members.map((m) => m.name) : null, ['sbs'], 'MemberList');
  await txn('sibling nested txns put and then delete one key', {
    success: [{ type: 'txn', txn: { success: [p('z', '1')] } }, { type: 'txn', txn: { success: [{ type: 'deleteRange', deleteRange: { key: k('z'), prevKv: true } }] } }],
  });
  await range('the key is gone', { key: k('z') });
  await range('final state', ALL);

  // Differential phase: seeded random commands (puts, deletes, nested txns, compactions, leases)
  // and a random read after each; every answer must be the same.
  const answerBoth = async (cmd: Command): Promise<[Answer, Answer]> => {
    const errorAnswer = (r: { ok: false; code: number; message: string }): Answer => ({ error: { code: r.code, message: r.message } });
    switch (cmd.type) {
      case 'put':
        return [await etcdAnswer('put', 'Put', wirePut(cmd.put)), coreAnswer(store.put(cmd.put), (v) => ({ revision: v.revision, prevKv: coreKv(v.response.prevKv) }))];
      case 'deleteRange':
        return [
          await etcdAnswer('deleteRange', 'DeleteRange', wireDelete(cmd.deleteRange)),
          coreAnswer(store.deleteRange(cmd.deleteRange), (v) => ({ revision: v.revision, deleted: v.response.deleted, prevKvs: v.response.prevKvs.map(coreKv) })),
        ];
      case 'txn':
        return [
          await etcdAnswer('txn', 'Txn', wireTxn(cmd.txn)),
          coreAnswer(store.txn(cmd.txn), (v) => ({ revision: v.revision, succeeded: v.response.succeeded, responses: v.response.responses.map(coreOpAnswer) })),
        ];
      case 'compact': {
        const w = await call(kv, 'Compact', { revision: cmd.revision });
        return [w.ok ? { revision: Number((w.res as { header: { revision: string } }).header.revision) } : errorAnswer(w), coreAnswer(store.compact(cmd.revision), (v) => ({ revision: v.revision }))];
      }
      case 'leaseGrant': {
        const w = await call(lease, 'LeaseGrant', { ID: cmd.id, TTL: cmd.ttl });
        const res = w.ok ? (w.res as { ID: string; TTL: string; error: string }) : undefined;
        return [res !== undefined ? { id: Number(res.ID), ttl: Number(res.TTL) } : errorAnswer(w as { ok: false; code: number; message: string }), coreAnswer(store.leaseGrant(cmd.id, cmd.ttl), (v) => ({ id: v.id, ttl: v.ttl }))];
      }
      case 'leaseRevoke': {
        const w = await call(lease, 'LeaseRevoke', { ID: cmd.id });
        return [w.ok ? { revision: Number((w.res as { header: { revision: string } }).header.revision) } : errorAnswer(w), coreAnswer(store.leaseRevoke(cmd.id), (v) => ({ revision: v.revision }))];
      }
      case 'leaseCheckpoint':
        throw new Error('not reachable through the client API');
    }
  };
  const gen = new Generator(prng(Number(process.env.ETCD_SBS_SEED ?? 20261125)), { minTtl: 3600, checkpoints: false });
  const steps = Number(process.env.ETCD_SBS_STEPS ?? 300);
  let agreed = 0;
  for (let i = 0; i < steps; i++) {
    const cmd = gen.command(store);
    const [w, c] = await answerBoth(cmd);
    if (show(w) !== show(c)) {
      t.same(c, w, `random step ${i}: ${show(cmd)}`);
      break;
    }
    const read = gen.range(store.revision);
    const rw = await etcdAnswer('range', 'Range', wireRange(read));
    const rc = coreAnswer(store.range(read), (v) => ({ revision: v.revision, kvs: v.kvs.map(coreKv), more: v.more, count: v.count }));
    if (show(rw) !== show(rc)) {
      t.same(rc, rw, `random read after step ${i}: ${show(read)}`);
      break;
    }
    agreed++;
  }
  t.equal(agreed, steps, `etcd and the core agreed on ${agreed} random commands and reads (revision ${store.revision})`);
  const watchStart = store.compactRevision + 1;
  t.same(await watchFrom(watchStart), coreEvents(watchStart), `watch history of the random phase from revision ${watchStart}`);
  t.equal(store.revision, Number((((await call(kv, 'Range', wireRange({ key: k('a') }))) as { res: { header: { revision: string } } }).res.header.revision)), 'same revision');
});
