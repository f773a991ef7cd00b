// The npm etcd3 client (put/get/range/delete/lease/txn/watch) against a 3-member store, and bad
// input through a raw gRPC client: etcd's status codes and messages, and nothing written.
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { Etcd3 } from 'etcd3';
import { KVClient, LeaseClient, MaintenanceClient } from '../../proto/gen/etcd/etcdserverpb/rpc.js';
import type * as pb from '../../proto/gen/etcd/etcdserverpb/rpc.js';
import { sleep, StoreCluster } from './helpers/store-cluster.js';

type Callback<R> = (e: grpc.ServiceError | null, r?: R) => void;
function call<Req, Res>(f: (req: Req, cb: Callback<Res>) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => f(req, (e, r) => (e !== null ? reject(e) : resolve(r!))));
}
async function status<Req, Res>(f: (req: Req, cb: Callback<Res>) => unknown, req: Req): Promise<{ code: number; details: string }> {
  try {
    await call(f, req);
    return { code: 0, details: 'ok' };
  } catch (e) {
    const err = e as grpc.ServiceError;
    return { code: err.code, details: err.details };
  }
}

const range = (key: string, extra: Partial<pb.RangeRequest> = {}): pb.RangeRequest => ({
  key: Buffer.from(key),
  rangeEnd: Buffer.alloc(0),
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
});
const put = (key: string | Buffer, value: string | Buffer, extra: Partial<pb.PutRequest> = {}): pb.PutRequest => ({
  key: Buffer.from(key),
  value: Buffer.from(value),
  lease: 0,
  prevKv: false,
  ignoreValue: false,
  ignoreLease: false,
  ...extra,
});

t.test('clients against a 3-member store', async (t) => {
  const c = await StoreCluster.start(t);
  const hosts = c.endpoints().split(',');

  await t.test('etcd3 client - put, get, range, delete', async (t) => {
    const client = new Etcd3({ hosts });
    t.teardown(() => client.close());
    await client.put('/e3/a').value('1');
    await client.put('/e3/b').value('2');
    await client.put('/e3/c').value('3');
    t.equal(await client.get('/e3/a').string(), '1');
    t.same(await client.getAll().prefix('/e3/').strings(), { '/e3/a': '1', '/e3/b': '2', '/e3/c': '3' });
    t.same(await client.getAll().prefix('/e3/').sort('Key', 'Descend').limit(2).keys(), ['/e3/c', '/e3/b']);
    t.equal(await client.getAll().prefix('/e3/').count(), 3);
    const del = await client.delete().key('/e3/b').getPrevious();
    t.equal(del[0]?.value.toString(), '2');
    t.equal(await client.get('/e3/b').string(), null);
  });

  await t.test('etcd3 client - lease: grant, put with it, keepalive, revoke', async (t) => {
    const client = new Etcd3({ hosts });
    t.teardown(() => client.close());
    const lease = client.lease(30, { autoKeepAlive: false });
    const id = await lease.grant();
    t.ok(id !== '0', 'lease id');
    await lease.put('/e3/leased').value('x');
    const ka = await lease.keepaliveOnce();
    t.equal(String(ka.TTL), '30');
    t.equal(await client.get('/e3/leased').string(), 'x');
    await lease.revoke();
    t.equal(await client.get('/e3/leased').string(), null, 'revoked with its key');
  });

  await t.test('etcd3 client - txn (compare and swap)', async (t) => {
    const client = new Etcd3({ hosts });
    t.teardown(() => client.close());
    await client.put('/e3/cas').value('v1');
    const ok = await client.if('/e3/cas', 'Value', '==', 'v1').then(client.put('/e3/cas').value('v2')).else(client.put('/e3/cas').value('lost')).commit();
    t.equal(ok.succeeded, true);
    const no = await client.if('/e3/cas', 'Value', '==', 'v1').then(client.put('/e3/cas').value('v3')).else(client.get('/e3/cas')).commit();
    t.equal(no.succeeded, false);
    t.equal(no.responses[0]?.response_range?.kvs[0]?.value.toString(), 'v2');
    t.equal(await client.get('/e3/cas').string(), 'v2');
  });

  await t.test('etcd3 client - watch', async (t) => {
    const client = new Etcd3({ hosts });
    t.teardown(() => client.close());
    const watcher = await client.watch().prefix('/e3w/').create();
    const seen: string[] = [];
    watcher.on('put', (kv) => seen.push(`put ${kv.key.toString()}=${kv.value.toString()}`));
    watcher.on('delete', (kv) => seen.push(`delete ${kv.key.toString()}`));
    await client.put('/e3w/a').value('1');
    await client.delete().key('/e3w/a');
    for (let i = 0; i < 50 && seen.length < 2; i++) await sleep(100);
    t.same(seen, ['put /e3w/a=1', 'delete /e3w/a']);
    await watcher.cancel();
  });

  await t.test('bad input - etcd codes and messages, nothing written', async (t) => {
    const kv = new KVClient(c.endpoint('m1'), grpc.credentials.createInsecure());
    const lease = new LeaseClient(c.endpoint('m2'), grpc.credentials.createInsecure());
    t.teardown(() => {
      kv.close();
      lease.close();
    });
    const r = (q: pb.RangeRequest, cb: Callback<pb.RangeResponse>): unknown => kv.range(q, cb);
    const p = (q: pb.PutRequest, cb: Callback<pb.PutResponse>): unknown => kv.put(q, cb);
    await call(p, put('/bad/existing', 'v'));
    const revisionNow = async (): Promise<number> => (await call(r, range('/bad/', { rangeEnd: Buffer.from('/bad0') }))).header!.revision;
    const before = await revisionNow();
    const cases: [string, () => Promise<{ code: number; details: string }>, number, string][] = [
      ['oversized put', () => status(p, put('/bad/big', Buffer.alloc(1_600_000, 120))), grpc.status.INVALID_ARGUMENT, 'etcdserver: request is too large'],
      ['empty key put', () => status(p, put('', 'v')), grpc.status.INVALID_ARGUMENT, 'etcdserver: key is not provided'],
      ['empty key range', () => status(r, range('')), grpc.status.INVALID_ARGUMENT, 'etcdserver: key is not provided'],
      ['unknown lease', () => status(p, put('/bad/leased', 'v', { lease: 12345 })), grpc.status.NOT_FOUND, 'etcdserver: requested lease not found'],
      ['future revision', () => status(r, range('/bad/existing', { revision: before + 1000 })), grpc.status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision'],
      ['ignore_value on a missing key', () => status(p, put('/bad/missing', '', { ignoreValue: true })), grpc.status.INVALID_ARGUMENT, 'etcdserver: key not found'],
      [
        'duplicate key in txn',
        () =>
          status(kv.txn.bind(kv), {
            compare: [],
            success: [{ requestPut: put('/bad/dup', '1') }, { requestPut: put('/bad/dup', '2') }],
            failure: [],
          }),
        grpc.status.INVALID_ARGUMENT,
        'etcdserver: duplicate key given in txn request',
      ],
      ['revoke unknown lease', () => status(lease.leaseRevoke.bind(lease), { ID: 777 }), grpc.status.NOT_FOUND, 'etcdserver: requested lease not found'],
    ];
    for (const [what, run, code, details] of cases) {
      const s = await run();
      t.same(s, { code, details }, what);
    }
    t.equal(await revisionNow(), before, 'no revision was taken');
    const left = await call(r, range('/bad/', { rangeEnd: Buffer.from('/bad0') }));
    t.same(left.kvs.map((k) => Buffer.from(k.key).toString()), ['/bad/existing'], 'nothing was written');

    // compaction: reads below it get etcd's compacted error; the data at and above stays
    await call(p, put('/bad/existing', 'v2'));
    const compactAt = await revisionNow();
    await call((q: pb.CompactionRequest, cb: Callback<pb.CompactionResponse>) => kv.compact(q, cb), { revision: compactAt, physical: false });
    t.same(await status(r, range('/bad/existing', { revision: compactAt - 1 })), {
      code: grpc.status.OUT_OF_RANGE,
      details: 'etcdserver: mvcc: required revision has been compacted',
    });
    t.same(await status((q: pb.CompactionRequest, cb: Callback<pb.CompactionResponse>) => kv.compact(q, cb), { revision: compactAt - 1, physical: false }), {
      code: grpc.status.OUT_OF_RANGE,
      details: 'etcdserver: mvcc: required revision has been compacted',
    });
    t.equal(Buffer.from((await call(r, range('/bad/existing', { revision: compactAt }))).kvs[0]!.value).toString(), 'v2');
  });
});

t.test('quota - NOSPACE refuses writes, reads go on, disarm after compaction', async (t) => {
  const c = await StoreCluster.start(t, { size: 1, extraArgs: ['--quota-backend-bytes', String(64 * 1024)] });
  const kv = new KVClient(c.endpoint('m1'), grpc.credentials.createInsecure());
  const mt = new MaintenanceClient(c.endpoint('m1'), grpc.credentials.createInsecure());
  t.teardown(() => {
    kv.close();
    mt.close();
  });
  const p = (q: pb.PutRequest, cb: Callback<pb.PutResponse>): unknown => kv.put(q, cb);
  const r = (q: pb.RangeRequest, cb: Callback<pb.RangeResponse>): unknown => kv.range(q, cb);
  let refused: { code: number; details: string } | undefined;
  let written = 0;
  for (let i = 0; i < 200 && refused === undefined; i++) {
    const s = await status(p, put(`/q/${i % 4}`, Buffer.alloc(2000, 97)));
    if (s.code !== 0) refused = s;
    else written++;
  }
  t.ok(written > 10, `${written} writes before the quota`);
  t.same(refused, { code: grpc.status.RESOURCE_EXHAUSTED, details: 'etcdserver: mvcc: database space exceeded' });
  t.match(await c.ctl(['alarm', 'list']), /alarm:NOSPACE/);
  t.same(await status(p, put('/q/small', 'x')), { code: grpc.status.RESOURCE_EXHAUSTED, details: 'etcdserver: mvcc: database space exceeded' }, 'every write refused');
  t.equal((await call(r, range('/q/0'))).kvs.length, 1, 'reads still work');
  const st = JSON.parse(await c.ctl(['endpoint', 'status', '-w', 'json'])) as { Status: { errors?: string[] } }[];
  t.match(st[0]!.Status.errors?.join(' ') ?? '', /NOSPACE/);

  // free room: compact away the history, then disarm
  const rev = (await call(r, range('/q/0'))).header!.revision;
  await c.ctl(['compact', String(rev)]);
  await c.ctl(['alarm', 'disarm']);
  t.equal(await c.ctl(['alarm', 'list']), '');
  t.same(await status(p, put('/q/after', 'x')), { code: 0, details: 'ok' }, 'writes work again');
});
