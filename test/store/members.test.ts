// Membership through etcdctl (add as learner, start the new member with the flags etcdctl
// prints, promote, remove) and a full-cluster restart: every member killed with SIGKILL and
// started again from its data directory keeps every acknowledged write.
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { KVClient } from '../../proto/gen/etcd/etcdserverpb/rpc.js';
import { sleep, StoreCluster } from './helpers/store-cluster.js';

interface MemberJson {
  ID: number;
  name?: string;
  peerURLs: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

t.test('members - add a learner, promote it, remove it', async (t) => {
  const c = await StoreCluster.start(t);
  const m4 = await c.newMemberSpec('m4');
  const founders = c.members.filter((m) => m.name !== 'm4');
  const eps = founders.map((m) => `127.0.0.1:${m.clientPort}`).join(',');

  const out = await c.ctl(['member', 'add', 'm4', `--peer-urls=http://127.0.0.1:${m4.peerPort}`, '--learner'], { endpoints: eps });
  t.match(out, /Member\s+[0-9a-f]+ added to cluster\s+[0-9a-f]+/);
  const initialCluster = /ETCD_INITIAL_CLUSTER="([^"]+)"/.exec(out)?.[1];
  t.match(out, /ETCD_INITIAL_CLUSTER_STATE="existing"/);
  t.ok(initialCluster?.includes(`m4=http://127.0.0.1:${m4.peerPort}`), initialCluster ?? "no ETCD_INITIAL_CLUSTER");
  const id = /Member\s+([0-9a-f]+) added/.exec(out)![1]!;

  // a member that cannot be added twice, and a promote before it caught up is refused
  const again = await c.etcdctl(['member', 'add', 'm4b', `--peer-urls=http://127.0.0.1:${m4.peerPort}`], { endpoints: eps });
  t.match(again.stderr, /etcdserver: Peer URLs already exists/);

  await c.ctl(['put', '/before-join', 'x'], { endpoints: eps });
  c.spawnMember(m4, 'existing', c.members);
  // the new member serves once it has caught up and published its name
  let list: MemberJson[] = [];
  for (let i = 0; i < 100; i++) {
    list = (JSON.parse(await c.ctl(['member', 'list', '-w', 'json'], { endpoints: eps })) as { members: MemberJson[] }).members;
    if (list.find((m) => m.name === 'm4')?.clientURLs?.length) break;
    await sleep(200);
  }
  const added = list.find((m) => m.ID.toString(16) === id);
  t.equal(added?.name, 'm4', 'm4 published its name');
  t.equal(added?.isLearner, true, 'as a learner');
  t.equal(await c.ctl(['get', '/before-join', '--print-value-only', '--consistency=s'], { endpoints: c.endpoint('m4') }), 'x\n', 'the learner has the data');

  let promoted = '';
  for (let i = 0; i < 50 && promoted === ''; i++) {
    const r = await c.etcdctl(['member', 'promote', id], { endpoints: eps });
    if (r.code === 0) promoted = r.stdout;
    else await sleep(200);
  }
  t.match(promoted, new RegExp(`Member\\s+${id} promoted in cluster`));
  list = (JSON.parse(await c.ctl(['member', 'list', '-w', 'json'], { endpoints: eps })) as { members: MemberJson[] }).members;
  t.notOk(list.find((m) => m.name === 'm4')?.isLearner, 'no longer a learner');
  await c.ctl(['put', '/after-promote', 'y'], { endpoints: c.endpoint('m4') });
  t.equal(await c.ctl(['get', '/after-promote', '--print-value-only'], { endpoints: eps }), 'y\n');

  const removed = await c.ctl(['member', 'remove', id], { endpoints: eps });
  t.match(removed, new RegExp(`Member\\s+${id} removed from cluster`));
  list = (JSON.parse(await c.ctl(['member', 'list', '-w', 'json'], { endpoints: eps })) as { members: MemberJson[] }).members;
  t.same(list.map((m) => m.name).sort(), ['m1', 'm2', 'm3']);
  for (let i = 0; i < 100 && c.isRunning('m4'); i++) await sleep(200);
  t.notOk(c.isRunning('m4'), 'the removed member stopped itself');
  const gone = await c.etcdctl(['member', 'remove', id], { endpoints: eps });
  t.match(gone.stderr, /etcdserver: member not found/);
  await c.ctl(['put', '/after-remove', 'z'], { endpoints: eps });
  t.equal(await c.ctl(['get', '/after-remove', '--print-value-only'], { endpoints: eps }), 'z\n');
});

t.test('members - restart of all three members keeps all data', async (t) => {
  const c = await StoreCluster.start(t, { extraArgs: ['--snapshot-count', '50'] });
  // 120 acknowledged writes, 8 at a time, spread over the members
  const clients = c.members.map((m) => new KVClient(c.endpoint(m.name), grpc.credentials.createInsecure()));
  t.teardown(() => clients.forEach((k) => k.close()));
  const putOne = (i: number): Promise<void> =>
    new Promise((resolve, reject) =>
      clients[i % clients.length]!.put(
        { key: Buffer.from(`/restart/k${String(i).padStart(3, '0')}`), value: Buffer.from(`v${i}`), lease: 0, prevKv: false, ignoreValue: false, ignoreLease: false },
        (e) => (e === null ? resolve() : reject(e)),
      ),
    );
  for (let i = 0; i < 120; i += 8) await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((j) => putOne(i + j)));
  const lease = /lease ([0-9a-f]+) granted/.exec(await c.ctl(['lease', 'grant', '600']))![1]!;
  await c.ctl(['put', '/restart/leased', 'l', '--lease', lease]);
  const before = JSON.parse(await c.ctl(['get', '/restart/', '--prefix', '-w', 'json'])) as { header: { revision: number }; count: number };
  t.equal(before.count, 121);
  await Promise.all(c.members.map((m) => c.kill(m.name, 'SIGKILL')));
  for (const m of c.members) c.restart(m.name);
  await c.waitReady();
  for (const m of c.members) {
    const after = JSON.parse(await c.ctl(['get', '/restart/', '--prefix', '-w', 'json'], { endpoints: c.endpoint(m.name) })) as {
      header: { revision: number };
      count: number;
      kvs: { key: string; value: string }[];
    };
    t.equal(after.count, 121, `${m.name}: every key`);
    t.ok(after.header.revision >= before.header.revision, `${m.name}: revision kept`);
    t.equal(Buffer.from(after.kvs[5]!.value, 'base64').toString(), 'v5');
  }
  t.match(await c.ctl(['lease', 'timetolive', '--keys', lease]), /attached keys\(\[\/restart\/leased\]\)/, 'the lease survived');
  t.equal((JSON.parse(await c.ctl(['member', 'list', '-w', 'json'])) as { members: MemberJson[] }).members.length, 3);
});
