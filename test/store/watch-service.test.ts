// The etcd v3 Watch service over real gRPC on 127.0.0.1: the protocol as etcd 3.4 speaks it
// (through the generated client), then real clients no one here wrote: the npm etcd3 package
// and Debian's etcdctl. Writes go through a tiny KV stub (watch-harness.ts) that applies them
// to an MvccStore and notifies the hub, as the store server does after Raft apply.
import t from 'tap';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { Etcd3 } from 'etcd3';
import { MvccStore, prefixEnd } from '../../control-plane/store/mvcc/index.js';
import { createWatchService, fragmentResponse, mvccWatchSource, WatchHub, WatchStream } from '../../control-plane/store/watch/index.js';
import type { WatchStreamIo } from '../../control-plane/store/watch/index.js';
import type { WatchCreateRequest, WatchRequest, WatchResponse } from '../../proto/gen/etcd/etcdserverpb/rpc.js';
import { b, str, unwrap } from './helpers/mvcc.js';
import { Harness, HEADER } from './watch-harness.js';
import type { HarnessOptions } from './watch-harness.js';
import { waitFor } from './watch-helpers.js';

const ETCDCTL = '/usr/bin/etcdctl';

type Test = Pick<typeof t, 'teardown'>;
const ZERO = new Uint8Array([0]);

// ---- Helpers

function createReq(over: Partial<WatchCreateRequest>): WatchRequest {
  return {
    createRequest: {
      key: new Uint8Array(0),
      rangeEnd: new Uint8Array(0),
      startRevision: 0,
      progressNotify: false,
      filters: [],
      prevKv: false,
      watchId: 0,
      fragment: false,
      ...over,
    },
  };
}

/** "id 0 created hdr 2", "id 1 hdr 4: PUT b1=x@4 | PUT b2=y@4", "id -1 created canceled reason ..." */
function text(r: WatchResponse): string {
  const parts = [`id ${r.watchId}`];
  if (r.created) parts.push('created');
  if (r.canceled) parts.push('canceled');
  if (r.compactRevision !== 0) parts.push(`compact ${r.compactRevision}`);
  if (r.cancelReason !== '') parts.push(`reason "${r.cancelReason}"`);
  if (r.fragment) parts.push('fragment');
  parts.push(`hdr ${r.header?.revision}`);
  const evs = r.events.map((e) => {
    const kv = e.kv!;
    const main = e.type === 0 ? `PUT ${str(kv.key)}=${str(kv.value)}@${kv.modRevision}` : `DELETE ${str(kv.key)}@${kv.modRevision}`;
    return e.prevKv === undefined ? main : `${main} prev ${str(e.prevKv.value)}`;
  });
  return evs.length === 0 ? parts.join(' ') : `${parts.join(' ')}: ${evs.join(' | ')}`;
}

/** A raw Watch stream: every response, in order. */
interface RawStream {
  call: grpc.ClientDuplexStream<WatchRequest, WatchResponse>;
  got: WatchResponse[];
  status: grpc.StatusObject | undefined;
  error: grpc.ServiceError | undefined;
  texts(): string[];
  /** Waits until n responses have arrived (and returns their texts). */
  until(n: number, what?: string): Promise<string[]>;
}

function openRaw(h: Harness, metadata?: grpc.Metadata): RawStream {
  const call = h.watchClient().watch(metadata ?? new grpc.Metadata());
  const s: RawStream = {
    call,
    got: [],
    status: undefined,
    error: undefined,
    texts: () => s.got.map(text),
    until: async (n, what) => {
      await waitFor(what ?? `${n} responses (have ${s.got.length}: ${JSON.stringify(s.texts())})`, () => s.got.length >= n || s.status !== undefined);
      return s.texts();
    },
  };
  call.on('data', (r: WatchResponse) => s.got.push(r));
  call.on('status', (st: grpc.StatusObject) => (s.status = st));
  call.on('error', (e: grpc.ServiceError) => (s.error = e));
  return s;
}

async function harness(t: Test, opts: HarnessOptions = {}): Promise<Harness> {
  const h = await new Harness(opts).start();
  t.teardown(() => h.stop());
  return h;
}


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The mod revisions of every event in the responses, in order. */
const revisionsOf = (rs: WatchResponse[]): number[] => rs.flatMap((r) => r.events.map((e) => e.kv!.modRevision));

// ---- Protocol, through the generated client

t.test('watch service - created, events, cancel: server ids from 0, one response per revision with all its events', async (t) => {
  const h = await harness(t);
  h.put('a', '0'); // 2
  const s = openRaw(h);
  s.call.write(createReq({ key: b('a') }));
  s.call.write(createReq({ key: b('b'), rangeEnd: prefixEnd(b('b')) }));
  t.same(await s.until(2), ['id 0 created hdr 2', 'id 1 created hdr 2']);
  h.put('a', '1'); // 3
  h.apply(h.store.txn({ success: [{ type: 'put', put: { key: b('b1'), value: b('x') } }, { type: 'put', put: { key: b('b2'), value: b('y') } }] })); // 4
  // A header says how far the watcher has been served: revision 4 had nothing for watcher 0.
  t.same((await s.until(4)).slice(2), ['id 0 hdr 4: PUT a=1@3', 'id 1 hdr 4: PUT b1=x@4 | PUT b2=y@4']);
  s.call.write({ cancelRequest: { watchId: 0 } });
  s.call.write({ cancelRequest: { watchId: 7 } }); // unknown: ignored, as etcd does
  t.same((await s.until(5)).slice(4), ['id 0 canceled hdr 4']);
  h.put('a', '2'); // 5: the canceled watcher says nothing
  h.del('b1'); // 6
  t.same((await s.until(6)).slice(5), ['id 1 hdr 6: DELETE b1@6']);
  await sleep(50);
  t.equal(s.got.length, 6, 'nothing else');
  t.same(s.got[0]!.header, { ...HEADER, revision: 2 }, 'header from the callback, revision from the watch layer');
  s.call.end();
});

t.test('watch service - client-chosen ids; a duplicate id and an empty range are refused with etcd\'s reasons', async (t) => {
  const h = await harness(t);
  const s = openRaw(h);
  s.call.write(createReq({ key: b('k'), watchId: 1 }));
  s.call.write(createReq({ key: b('k'), watchId: 1 }));
  s.call.write(createReq({ key: b('k') }));
  s.call.write(createReq({ key: b('k') }));
  s.call.write(createReq({ key: b('b'), rangeEnd: b('a') }));
  s.call.write(createReq({ key: b('k'), watchId: 2 }));
  t.same(await s.until(6), [
    'id 1 created hdr 1',
    'id -1 created canceled reason "mvcc: duplicate watch ID provided on the WatchStream" hdr 1',
    'id 0 created hdr 1',
    'id 2 created hdr 1',
    'id -1 created canceled reason "mvcc: watcher range is empty" hdr 1',
    'id -1 created canceled reason "mvcc: duplicate watch ID provided on the WatchStream" hdr 1',
  ], 'auto ids skip the ones in use');
  t.equal(h.hub.stats().watchers, 3);
  s.call.end();
});

t.test('watch service - a past start revision replays history then goes live; headers never run ahead of what was sent', async (t) => {
  const h = await harness(t, { historyBatchEvents: 2 });
  for (let i = 0; i < 10; i++) h.put(`k${i % 3}`, `${i}`); // 2..11
  const s = openRaw(h);
  s.call.write(createReq({ key: b('k'), rangeEnd: prefixEnd(b('k')), startRevision: 4, prevKv: true }));
  const got = await s.until(2);
  t.equal(got[0], 'id 0 created hdr 3', 'created: the revision before the start');
  t.equal(
    got[1],
    'id 0 hdr 11: PUT k2=2@4 | PUT k0=3@5 prev 0 | PUT k1=4@6 prev 1 | PUT k2=5@7 prev 2 | PUT k0=6@8 prev 3 | PUT k1=7@9 prev 4 | PUT k2=8@10 prev 5 | PUT k0=9@11 prev 6',
    'history in one batched response, whatever the history read batches were',
  );
  h.put('k1', 'live'); // 12
  t.same((await s.until(3))[2], 'id 0 hdr 12: PUT k1=live@12 prev 7', 'then live');
  s.call.end();
});

t.test('watch service - catch-up from an old revision while writes keep coming: no gap, no duplicate', async (t) => {
  const h = await harness(t, { maxBufferedEvents: 16, historyBatchEvents: 16 });
  for (let i = 0; i < 1000; i++) h.put(`c/${i % 7}`, `${i}`); // 2..1001
  const s = openRaw(h);
  s.call.write(createReq({ key: b('c/'), rangeEnd: prefixEnd(b('c/')), startRevision: 2 }));
  for (let i = 0; i < 500; i++) {
    h.put(i % 2 === 0 ? `c/${i % 7}` : `other/${i}`, `live${i}`); // 1002..1501, every other one watched
    if (i % 10 === 0) await new Promise((r) => setImmediate(r));
  }
  await waitFor('history and live events', () => revisionsOf(s.got).length >= 1250);
  await sleep(50);
  const want = [...Array.from({ length: 1000 }, (_, i) => i + 2), ...Array.from({ length: 250 }, (_, i) => 1002 + 2 * i)];
  t.same(revisionsOf(s.got), want, 'exactly the watched revisions, in order');
  t.ok(s.got.length < 1250, `catch-up is batched (${s.got.length - 1} responses)`);
  t.ok(s.got.every((r) => r.events.every((e) => e.kv!.modRevision <= r.header!.revision)), 'header >= its events');
  s.call.end();
});

t.test('watch service - a compacted start revision: created, then canceled with compact_revision', async (t) => {
  const h = await harness(t);
  for (let i = 0; i < 5; i++) h.put('k', `${i}`); // 2..6
  unwrap(h.store.compact(4));
  const s = openRaw(h);
  s.call.write(createReq({ key: b('k'), startRevision: 2 }));
  s.call.write(createReq({ key: b('k'), startRevision: 4 }));
  const got = await s.until(4);
  t.same(got.filter((x) => x.startsWith('id 0')), ['id 0 created hdr 1', 'id 0 canceled compact 4 hdr 6']);
  t.same(
    got.filter((x) => x.startsWith('id 1')),
    ['id 1 created hdr 3', 'id 1 hdr 6: PUT k=2@4 | PUT k=3@5 | PUT k=4@6'],
    'a start at the compact revision still works',
  );
  t.equal(h.hub.stats().watchers, 1, 'the compacted watcher is gone');
  s.call.end();
});

t.test('watch service - filters and prev_kv on the wire', async (t) => {
  const h = await harness(t);
  const s = openRaw(h);
  s.call.write(createReq({ key: b('k'), filters: [0] })); // NOPUT
  s.call.write(createReq({ key: b('k'), filters: [1], prevKv: true })); // NODELETE
  await s.until(2);
  h.put('k', '1');
  h.put('k', '2');
  h.del('k');
  const got = (await s.until(4)).slice(2);
  t.same(got.filter((x) => x.startsWith('id 0')), ['id 0 hdr 4: DELETE k@4']);
  t.same(got.filter((x) => x.startsWith('id 1')), ['id 1 hdr 4: PUT k=1@2 | PUT k=2@3 prev 1'], 'revision 4 (filtered out) counts as served');
  s.call.end();
});

t.test('watch service - a progress request is answered with watch_id -1 and the stream\'s revision', async (t) => {
  const h = await harness(t);
  h.put('a', '1'); // 2
  const s = openRaw(h);
  s.call.write(createReq({ key: b('a') }));
  await s.until(1);
  h.put('b', '1'); // 3
  s.call.write({ progressRequest: {} });
  t.same((await s.until(2)).slice(1), ['id -1 hdr 3']);
  s.call.end();
});

t.test('watch service - progress notify: an idle watcher gets an empty response with its id every interval', async (t) => {
  const h = await harness(t, { progressNotifyIntervalMs: 60 });
  const s = openRaw(h);
  s.call.write(createReq({ key: b('quiet'), progressNotify: true }));
  s.call.write(createReq({ key: b('other') })); // no progress_notify: never gets one
  await s.until(2);
  h.put('x', '1'); // 2
  await s.until(4);
  t.same(s.texts().slice(2, 4), ['id 0 hdr 2', 'id 0 hdr 2']);
  t.notOk(s.texts().some((x) => x.startsWith('id 1 hdr')), 'only watchers that asked');
  s.call.end();
});

t.test('watch service - fragment: a large revision is split for watchers that allow it, whole for others', async (t) => {
  const h = await harness(t, { fragmentBytes: 300 }); // about two of these events
  const s = openRaw(h);
  s.call.write(createReq({ key: b('f/'), rangeEnd: prefixEnd(b('f/')), fragment: true }));
  s.call.write(createReq({ key: b('f/'), rangeEnd: prefixEnd(b('f/')) }));
  await s.until(2);
  const big = 'v'.repeat(100);
  h.apply(h.store.txn({ success: [1, 2, 3, 4, 5, 6].map((i) => ({ type: 'put' as const, put: { key: b(`f/${i}`), value: b(big) } })) }));
  await waitFor('the big revision', () => s.got.filter((r) => r.watchId === 1).length === 2);
  h.put('f/after', 'x');
  await waitFor('both watchers saw the last put', () => s.got.filter((r) => r.events.some((e) => str(e.kv!.key) === 'f/after')).length === 2);
  const frags = s.got.filter((r) => r.watchId === 0 && !r.created);
  const whole = s.got.filter((r) => r.watchId === 1 && !r.created);
  t.same(frags.map((r) => [r.events.length, r.fragment]), [[2, true], [2, true], [2, false], [1, false]], 'fragment=true on all but the last part');
  t.same(frags.slice(0, -1).flatMap((r) => r.events.map((e) => str(e.kv!.key))), ['f/1', 'f/2', 'f/3', 'f/4', 'f/5', 'f/6']);
  t.same(whole.map((r) => r.events.length), [6, 1]);
  s.call.end();
});

t.test('watch service - backpressure: a client that stops reading makes its watcher fall back to history; then every revision arrives, in order', async (t) => {
  const h = await harness(t, { maxBufferedEvents: 20 });
  const s = openRaw(h);
  s.call.write(createReq({ key: ZERO, rangeEnd: ZERO }));
  await s.until(1);
  s.call.pause();
  const value = 'x'.repeat(2000);
  let unsynced = false;
  for (let i = 0; i < 2000; i++) {
    h.put(`k${i % 10}`, value); // 2..2001
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    unsynced ||= h.hub.stats().unsynced === 1;
  }
  t.ok(unsynced, 'the watcher fell behind instead of buffering without bound');
  s.call.resume();
  await waitFor('every revision after resuming', () => revisionsOf(s.got).length >= 2000);
  await sleep(20);
  const revs = revisionsOf(s.got);
  t.ok(revs.length === 2000 && revs.every((r, i) => r === i + 2), 'revisions 2..2001, in order, each once');
  t.same(h.hub.stats().synced, 1, 'synced again');
  h.put('end', '1');
  await waitFor('live again', () => revisionsOf(s.got).length === 2001);
  s.call.end();
});

t.test('watch service - a client half-close ends the call with OK; a cancelled call cancels its watchers', async (t) => {
  const h = await harness(t);
  const s = openRaw(h);
  s.call.write(createReq({ key: b('k') }));
  await s.until(1);
  s.call.end();
  await waitFor('status', () => s.status !== undefined);
  t.equal(s.status?.code, grpc.status.OK);
  const c = openRaw(h);
  c.call.write(createReq({ key: b('k') }));
  await c.until(1);
  t.equal(h.hub.stats().watchers, 1);
  c.call.cancel();
  await waitFor('watchers canceled', () => h.hub.stats().watchers === 0);
  t.pass('a cancelled call leaves no watcher behind');
});

t.test('watch service - stopping ends every stream with etcd\'s "server stopped"; no-leader refuses clients that require one', async (t) => {
  const stop = new AbortController();
  let leader = false;
  const h = await harness(t, { signal: stop.signal, hasLeader: () => leader });
  const free = openRaw(h);
  free.call.write(createReq({ key: b('k') }));
  await free.until(1);
  const md = new grpc.Metadata();
  md.set('hasleader', 'true');
  const needy = openRaw(h, md);
  needy.call.write(createReq({ key: b('k') }));
  await waitFor('refused', () => needy.status !== undefined);
  t.same([needy.status?.code, needy.status?.details], [grpc.status.UNAVAILABLE, 'etcdserver: no leader']);
  leader = true;
  const ok = openRaw(h, md);
  ok.call.write(createReq({ key: b('k') }));
  await ok.until(1);
  stop.abort();
  await waitFor('streams ended', () => free.status !== undefined && ok.status !== undefined);
  t.same([free.status?.code, free.status?.details], [grpc.status.UNAVAILABLE, 'etcdserver: server stopped']);
  t.equal(h.hub.stats().watchers, 0);
});

t.test('watch service - config is validated at construction', async (t) => {
  const hub = new WatchHub({ source: mvccWatchSource(new MvccStore()) });
  const header = () => ({ ...HEADER, revision: 0 });
  for (const bad of [{ progressNotifyIntervalMs: 0 }, { progressNotifyIntervalMs: 2 ** 31 }, { fragmentBytes: -1 }, { batchBytes: Number.NaN }]) {
    t.throws(() => createWatchService({ hub, header, ...bad }), RangeError, JSON.stringify(bad));
  }
});

// ---- The stream alone: deterministic transport

t.test('watch stream - write() false stops the stream until drained; its watcher falls back to history and loses nothing', async (t) => {
  const store = new MvccStore();
  const hub = new WatchHub({ source: mvccWatchSource(store), maxBufferedEvents: 3 });
  const sent: WatchResponse[] = [];
  const tasks: (() => void)[] = [];
  let room = 2;
  const io: WatchStreamIo = {
    write: (r) => {
      sent.push(r);
      return --room > 0;
    },
    schedule: (fn) => tasks.push(fn),
    pauseRequests: () => {},
    resumeRequests: () => {},
  };
  const run = (): void => {
    for (let i = 0; i < 1000 && tasks.length > 0; i++) tasks.shift()!();
  };
  const stream = new WatchStream({ hub, header: () => ({ clusterId: 1, memberId: 2, revision: 0, raftTerm: 1 }), fragmentBytes: 1 << 20, maxResponsesPerTurn: 100, maxControlBacklog: 10, batchBytes: 200 }, io);
  stream.receive(createReq({ key: b('k') }));
  const put = (v: string): void => {
    const r = unwrap(store.put({ key: b('k'), value: b(v) }));
    hub.notify(r.revision, r.events);
  };
  put('1');
  run();
  t.same(sent.map(text), ['id 0 created hdr 1', 'id 0 hdr 2: PUT k=1@2'], 'two writes, then the transport is full');
  for (let i = 2; i <= 20; i++) put(`${i}`);
  run();
  t.equal(sent.length, 2, 'nothing written while full');
  t.same(hub.stats().unsynced, 1, 'the watcher fell back to history');
  stream.receive({ progressRequest: {} });
  room = 1000;
  stream.drained();
  run();
  t.equal(sent[2] && text(sent[2]), 'id -1 hdr 2', 'progress first (control responses go first): only revision 2 was sent');
  t.same(revisionsOf(sent.slice(3)), Array.from({ length: 19 }, (_, i) => i + 3), 'then 3..21, in order');
  t.same(sent.slice(3).map((r) => r.events.length), [3, 3, 3, 3, 3, 3, 1], 'batched up to batchBytes (about 3 of these events)');
  stream.close();
  t.equal(hub.stats().watchers, 0);
});

t.test('watch stream - fragments: as many events as fit below the limit, at least one each', async (t) => {
  const ev = (i: number, size: number) => ({
    type: 0 as const,
    kv: { key: b(`k${i}`), createRevision: 2, modRevision: 2, version: 1, value: b('x'.repeat(size)), lease: 0 },
    prevKv: undefined,
  });
  const resp: WatchResponse = { header: { clusterId: 1, memberId: 1, revision: 2, raftTerm: 1 }, watchId: 0, created: false, canceled: false, compactRevision: 0, cancelReason: '', fragment: false, events: [ev(1, 50), ev(2, 50), ev(3, 500), ev(4, 10)] };
  t.same(fragmentResponse(resp, 10_000), [resp], 'small enough: unchanged');
  const parts = fragmentResponse(resp, 200);
  t.same(parts.map((p) => [p.events.map((e) => str(e.kv!.key)), p.fragment]), [[['k1', 'k2'], true], [['k3'], true], [['k4'], false]]);
});

// ---- The npm etcd3 client

async function etcd3(t: Test, h: Harness): Promise<Etcd3> {
  const c = new Etcd3({ hosts: h.endpoint });
  t.teardown(() => c.close());
  return c;
}

t.test('etcd3 client - watches a key and a prefix: puts and deletes with values and revisions', async (t) => {
  const h = await harness(t);
  const c = await etcd3(t, h);
  const seen: string[] = [];
  const w1 = await c.watch().key('k').create();
  const w2 = await c.watch().prefix('p/').create();
  w1.on('put', (kv) => seen.push(`k put ${kv.key.toString()}=${kv.value.toString()}@${kv.mod_revision}`));
  w1.on('delete', (kv) => seen.push(`k delete ${kv.key.toString()}@${kv.mod_revision}`));
  w2.on('put', (kv) => seen.push(`p put ${kv.key.toString()}=${kv.value.toString()}@${kv.mod_revision}`));
  await c.put('k').value('1');
  await c.put('p/a').value('2');
  await c.put('q').value('3');
  await c.delete().key('k');
  await waitFor('3 events', () => seen.length >= 3);
  t.same(seen.sort(), ['k delete k@5', 'k put k=1@2', 'p put p/a=2@3']);
  await w1.cancel();
  await w2.cancel();
});

t.test('etcd3 client - start revision with prev kv: history then live', async (t) => {
  const h = await harness(t);
  const c = await etcd3(t, h);
  h.put('h', 'a'); // 2
  h.put('h', 'b'); // 3
  const seen: string[] = [];
  const w = await c.watch().key('h').startRevision('2').withPreviousKV().create();
  w.on('put', (kv, prev) => seen.push(`${kv.value.toString()}@${kv.mod_revision} prev ${prev?.value.toString() ?? '-'}`));
  await waitFor('history', () => seen.length >= 2);
  await c.put('h').value('c'); // 4
  await waitFor('live', () => seen.length >= 3);
  t.same(seen, ['a@2 prev -', 'b@3 prev a', 'c@4 prev b']);
  await w.cancel();
  t.equal(h.hub.stats().watchers, 0, 'cancel reached the server');
});

t.test('etcd3 client - resumes after the server drops, from the last header revision, without gaps', async (t) => {
  const h = await harness(t);
  const c = await etcd3(t, h);
  const revs: number[] = [];
  const w = await c.watch().prefix('r/').create();
  let drops = 0;
  w.on('put', (kv) => revs.push(Number(kv.mod_revision)));
  w.on('disconnected', () => drops++);
  w.on('error', () => {});
  for (let i = 0; i < 5; i++) h.put(`r/${i}`, 'before'); // 2..6
  await waitFor('events before the drop', () => revs.length === 5);
  h.down();
  for (let i = 0; i < 5; i++) h.put(`r/${i}`, 'while down'); // 7..11
  h.put('x', 'unwatched'); // 12
  await h.up();
  await waitFor('reconnected and caught up', () => revs.length >= 10, 20_000);
  h.put('r/last', 'after'); // 13
  await waitFor('live again', () => revs.length >= 11, 10_000);
  t.same(revs, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13]);
  t.ok(drops >= 1, 'the client did see the connection drop');
  await w.cancel();
});

t.test('etcd3 client - a compacted start revision errors the watcher', async (t) => {
  const h = await harness(t);
  const c = await etcd3(t, h);
  for (let i = 0; i < 4; i++) h.put('c', `${i}`); // 2..5
  unwrap(h.store.compact(4));
  const w = await c.watch().key('c').startRevision('2').create();
  const err = await new Promise<Error>((resolve) => w.on('error', resolve));
  t.match(err.message, /Watcher canceled/);
  t.equal(h.hub.stats().watchers, 0);
});

// ---- Debian's etcdctl

const skipEtcdctl = existsSync(ETCDCTL) ? false : 'etcd-client (etcdctl) is not installed';

interface Etcdctl {
  proc: ChildProcessWithoutNullStreams;
  out(): string;
  err(): string;
}

function etcdctl(t: Test, h: Harness, args: string[]): Etcdctl {
  const proc = spawn(ETCDCTL, ['--endpoints', h.endpoint, ...args], { env: { ...process.env, ETCDCTL_API: '3' } });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  t.teardown(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  return { proc, out: () => out, err: () => err };
}

t.test('etcdctl - watch --prefix prints live puts and deletes', { skip: skipEtcdctl }, async (t) => {
  const h = await harness(t);
  const w = etcdctl(t, h, ['watch', '--prefix', '/e/']);
  await waitFor('etcdctl watching', () => h.hub.stats().watchers === 1, 10_000);
  h.put('/e/1', 'one');
  h.put('/f/1', 'not watched');
  h.del('/e/1');
  await waitFor('output', () => w.out().includes('DELETE'), 10_000);
  t.equal(w.out(), 'PUT\n/e/1\none\nDELETE\n/e/1\n\n');
});

t.test('etcdctl - watch --rev replays history, with --prev-kv', { skip: skipEtcdctl }, async (t) => {
  const h = await harness(t);
  h.put('r', 'a'); // 2
  h.put('r', 'b'); // 3
  h.put('s', 'x'); // 4
  const w = etcdctl(t, h, ['watch', 'r', '--rev', '2', '--prev-kv']);
  await waitFor('history', () => w.out().split('\n').length >= 8, 10_000);
  h.put('r', 'c'); // 5
  await waitFor('live', () => w.out().includes('\nc\n'), 10_000);
  t.equal(w.out(), 'PUT\nr\na\nPUT\nr\na\nr\nb\nPUT\nr\nb\nr\nc\n');
});

t.test('etcdctl - watch from a compacted revision is told so', { skip: skipEtcdctl }, async (t) => {
  const h = await harness(t);
  for (let i = 0; i < 4; i++) h.put('c', `${i}`); // 2..5
  unwrap(h.store.compact(4));
  const w = etcdctl(t, h, ['watch', 'c', '--rev', '2']);
  await waitFor('the compacted answer', () => w.err().includes('compacted'), 10_000);
  t.match(w.err(), /watch was canceled \(etcdserver: mvcc: required revision has been compacted\)/);
});

