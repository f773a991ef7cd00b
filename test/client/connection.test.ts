// The transport rules against scripted servers on loopback: failover, which calls are retried,
// OutcomeUnknown for writes that may have landed, deadlines, credentials metadata, watch resume.
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import type { ObjectResponse, WatchEvent as WireEvent, WatchRequest, GetRequest, CreateRequest } from '../../proto/gen/shoal/api/v1/api.js';
import { ApiErrorReason, ShoalClient, isOutcomeUnknown } from '../../client/index.js';
import type { Clock } from '../../client/index.js';
import type { KubeObject } from '../../api/kind.js';
import { deadAddress, FakeApiServer, grpcError, json } from './helpers/fake-api-server.js';

const pod = (name: string, rv: number) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name, resourceVersion: String(rv) } });

/** A clock whose sleeps return at once and are recorded: the backoff schedule without waiting. */
function recordingClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

const okGet = (call: grpc.ServerUnaryCall<GetRequest, ObjectResponse>, cb: grpc.sendUnaryData<ObjectResponse>): void =>
  cb(null, { object: json(pod(call.request.name, 5)) });

t.test('connection - a read moves past a dead server to a live one, and stays there', async (t) => {
  const live = await FakeApiServer.start(t, { get: okGet });
  const dead = await deadAddress();
  const client = new ShoalClient({ servers: [dead, live.address], namespace: 'default' });
  t.teardown(() => client.close());
  const p = await client.resource<KubeObject>('pods').get('web');
  t.equal(p.metadata.name, 'web');
  t.equal(client.connection.currentServer(), live.address);
  await client.resource<KubeObject>('pods').get('web2');
  t.equal(live.calls('get').length, 2);
});

t.test('connection - a write that never connected is sent to the next server', async (t) => {
  const live = await FakeApiServer.start(t, {
    create: (call: grpc.ServerUnaryCall<CreateRequest, ObjectResponse>, cb: grpc.sendUnaryData<ObjectResponse>) => cb(null, { object: call.request.object }),
  });
  const client = new ShoalClient({ servers: [await deadAddress(), live.address], namespace: 'default' });
  t.teardown(() => client.close());
  const created = await client.resource<KubeObject>('pods').create(pod('a', 0));
  t.equal(created.metadata.name, 'a');
  t.equal(live.calls('create').length, 1, 'exactly one create arrived');
});

t.test('connection - a write answered UNAVAILABLE is OutcomeUnknown and not resent', async (t) => {
  const flaky = await FakeApiServer.start(t, { update: (_c: unknown, cb: grpc.sendUnaryData<ObjectResponse>) => cb(grpcError(grpc.status.UNAVAILABLE, 'the store cannot be reached'), null) });
  const other = await FakeApiServer.start(t, { update: (_c: unknown, cb: grpc.sendUnaryData<ObjectResponse>) => cb(null, { object: json(pod('a', 9)) }), get: okGet });
  const client = new ShoalClient({ servers: [flaky.address, other.address], namespace: 'default' });
  t.teardown(() => client.close());
  const err = await client.resource<KubeObject>('pods').update(pod('a', 5)).catch((e: unknown) => e);
  t.ok(isOutcomeUnknown(err), `OutcomeUnknown, got ${String(err)}`);
  t.match(String((err as Error).message), /may or may not have been applied/);
  t.equal(flaky.calls('update').length, 1);
  t.equal(other.calls('update').length, 0, 'not resent blindly');
  t.equal(client.connection.currentServer(), other.address, 'later calls go to the next server');
  // updateWithRetry reads again and writes with the CAS, which is safe
  const res = await client.resource<KubeObject>('pods').updateWithRetry('a', (p) => p);
  t.equal(res.metadata.resourceVersion, '9');
});

t.test('connection - every server down: bounded attempts, backoff only between rounds', async (t) => {
  const clock = recordingClock();
  const servers = [await deadAddress(), await deadAddress()];
  const client = new ShoalClient({
    servers,
    clock,
    rng: () => 0.5,
    retry: { maxAttempts: 5, maxElapsedMs: 60_000, backoff: { initialMs: 100, factor: 2, maxMs: 1000, jitter: 0 } },
  });
  t.teardown(() => client.close());
  const err = await client.resource<KubeObject>('pods', 'default').get('x').catch((e: unknown) => e);
  t.match(err, { name: 'ApiError', reason: ApiErrorReason.Unavailable, message: /no API server answered after 5 attempt/ });
  // attempt 1 (A) → 2 (B, immediate) → sleep → 3 (A) → sleep → 4 (B) → sleep → 5 (A) → give up
  t.same(clock.sleeps, [100, 200, 400]);
});

t.test('connection - Invalid errors carry causes; the token travels as metadata', async (t) => {
  const md = new grpc.Metadata();
  md.set('shoal-causes', JSON.stringify([{ field: 'spec.containers[0].image', type: 'FieldValueRequired', message: 'Required value' }]));
  const s = await FakeApiServer.start(t, { create: (_c: unknown, cb: grpc.sendUnaryData<ObjectResponse>) => cb(grpcError(grpc.status.INVALID_ARGUMENT, 'spec.containers[0].image: Required value', md), null) });
  const client = new ShoalClient({ servers: [s.address], credentials: { kind: 'insecure', token: 'tok' } });
  t.teardown(() => client.close());
  const err = await client.resource<KubeObject>('pods', 'default').create(pod('a', 0)).catch((e: unknown) => e);
  t.match(err, { reason: ApiErrorReason.Invalid, message: 'spec.containers[0].image: Required value', causes: [{ field: 'spec.containers[0].image', type: 'FieldValueRequired' }] });
  t.same(s.calls('create')[0]?.metadata.get('authorization'), ['Bearer tok']);
  t.equal(s.calls('create').length, 1, 'a verdict is not retried');
});

t.test('connection - a server that never answers: reads time out, writes are OutcomeUnknown', async (t) => {
  const hung = await FakeApiServer.start(t, { get: () => undefined, delete: () => undefined });
  const client = new ShoalClient({ servers: [hung.address], callTimeoutMs: 300 });
  t.teardown(() => client.close());
  await t.rejects(client.resource<KubeObject>('pods', 'default').get('a'), { name: 'ApiError', reason: ApiErrorReason.Timeout });
  await t.rejects(client.resource<KubeObject>('pods', 'default').delete('a'), { name: 'ApiError', reason: ApiErrorReason.OutcomeUnknown });
});

t.test('connection - a watch resumes on the next server from the last revision it saw', async (t) => {
  const first = await FakeApiServer.start(t, {
    watch: (call: grpc.ServerWritableStream<WatchRequest, WireEvent>) => {
      call.write({ type: 'MODIFIED', object: json(pod('a', 11)) });
      call.write({ type: 'BOOKMARK', object: json({ kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '15' } }) });
    },
  });
  const second = await FakeApiServer.start(t, {
    watch: (call: grpc.ServerWritableStream<WatchRequest, WireEvent>) => {
      call.write({ type: 'DELETED', object: json(pod('a', 16)) });
    },
  });
  const client = new ShoalClient({ servers: [first.address, second.address], namespace: 'default' });
  t.teardown(() => client.close());
  const w = client.resource<KubeObject>('pods').watch({ resourceVersion: '10' });
  const it = w[Symbol.asyncIterator]();
  const e1 = await it.next();
  t.match(e1.value, { type: 'MODIFIED', resourceVersion: '11' });
  const e2 = await it.next();
  t.match(e2.value, { type: 'BOOKMARK', resourceVersion: '15' });
  first.kill();
  const e3 = await it.next();
  t.match(e3.value, { type: 'DELETED', resourceVersion: '16' });
  t.equal((first.calls('watch')[0]?.request as WatchRequest).resourceVersion, '10');
  t.equal((second.calls('watch')[0]?.request as WatchRequest).resourceVersion, '15', 'resumed from the bookmark');
  t.equal((second.calls('watch')[0]?.request as WatchRequest).allowBookmarks, true);
  w.close();
  t.same(await it.next(), { done: true, value: undefined }, 'close ends the iterator');
});

t.test('connection - OUT_OF_RANGE ends a watch with Gone; close() cancels everything', async (t) => {
  const s = await FakeApiServer.start(t, {
    // from "3": too old; from anything else: an open stream with no events
    watch: (call: grpc.ServerWritableStream<WatchRequest, WireEvent>) => {
      if (call.request.resourceVersion === '3') call.emit('error', grpcError(grpc.status.OUT_OF_RANGE, 'too old resource version: 3 (oldest: 7)'));
    },
    get: () => undefined,
  });
  const client = new ShoalClient({ servers: [s.address] });
  const w = client.resource<KubeObject>('pods', 'default').watch({ resourceVersion: '3' });
  await t.rejects(w.next(), { reason: ApiErrorReason.Gone, message: /too old/ });
  const pending = client.resource<KubeObject>('pods', 'default').get('a');
  const w2 = client.resource<KubeObject>('pods', 'default').watch({ resourceVersion: '8' });
  // let the get reach the server before closing
  for (let i = 0; i < 100 && (s.calls('get').length === 0 || s.calls('watch').length < 2); i++) await new Promise((r) => setTimeout(r, 20));
  client.close();
  await t.rejects(pending, { name: 'ApiError', reason: ApiErrorReason.Cancelled });
  t.same(await w2.next(), { done: true, value: undefined });
  await t.rejects(client.resource<KubeObject>('pods', 'default').get('a'), { reason: ApiErrorReason.Cancelled, message: /closed/ });
});
