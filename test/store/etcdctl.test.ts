// Debian's etcdctl (3.4, ETCDCTL_API=3) against a 3-member Shoal store, exactly as an operator
// would use it: no flags or output a real etcd would not give.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StoreSnapshot } from '../../proto/gen/store.js';
import { MvccStore } from '../../control-plane/store/mvcc/index.js';
import { decodeSnapshotFile } from '../../control-plane/store/snapshot-file.js';
import { ETCDCTL, sleep, StoreCluster } from './helpers/store-cluster.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString();

interface GetJson {
  header: { cluster_id: number; member_id: number; revision: number; raft_term: number };
  kvs?: { key: string; value: string; create_revision: number; mod_revision: number; version: number; lease?: number }[];
  count?: number;
  more?: boolean;
}

t.test('etcdctl against a 3-member store', async (t) => {
  const c = await StoreCluster.start(t);
  const leader = await c.leaderName();
  const follower = c.members.find((m) => m.name !== leader)!.name;

  await t.test('etcdctl - put and get -w json report etcd fields', async (t) => {
    t.equal((await c.ctl(['put', '/registry/pods/default/web-1', 'v1'])).trim(), 'OK');
    const g = JSON.parse(await c.ctl(['get', '/registry/pods/default/web-1', '-w', 'json'])) as GetJson;
    t.ok(g.header.cluster_id > 0, 'cluster_id');
    t.ok(g.header.member_id > 0, 'member_id');
    t.ok(g.header.raft_term > 0, 'raft_term');
    t.equal(g.count, 1);
    const kv = g.kvs![0]!;
    t.equal(kv.key, b64('/registry/pods/default/web-1'));
    t.equal(kv.value, b64('v1'));
    t.equal(kv.version, 1);
    t.equal(kv.create_revision, kv.mod_revision);
    t.equal(g.header.revision, kv.mod_revision, 'header revision is the store revision');
    // every member answers the same (linearizable reads on followers)
    for (const m of c.members) {
      const r = JSON.parse(await c.ctl(['get', '/registry/pods/default/web-1', '-w', 'json'], { endpoints: c.endpoint(m.name) })) as GetJson;
      t.equal(unb64(r.kvs![0]!.value), 'v1', `${m.name} reads it`);
      t.equal(r.header.cluster_id, g.header.cluster_id, `${m.name} has the same cluster id`);
    }
  });

  await t.test('etcdctl - get --prefix, --limit, --rev, --keys-only, --sort-by, --consistency=s', async (t) => {
    for (const n of ['a', 'b', 'c']) await c.ctl(['put', `/p/${n}`, n], { endpoints: c.endpoint(follower) });
    await c.ctl(['put', '/q', 'other']);
    t.equal(await c.ctl(['get', '/p/', '--prefix']), '/p/a\na\n/p/b\nb\n/p/c\nc\n');
    const lim = JSON.parse(await c.ctl(['get', '/p/', '--prefix', '--limit', '2', '-w', 'json'])) as GetJson;
    t.equal(lim.kvs!.length, 2);
    t.equal(lim.more, true);
    t.equal(lim.count, 3);
    t.equal(await c.ctl(['get', '/p/', '--prefix', '--keys-only']), '/p/a\n\n/p/b\n\n/p/c\n\n');
    const before = JSON.parse(await c.ctl(['get', '/p/a', '-w', 'json'])) as GetJson;
    await c.ctl(['put', '/p/a', 'a2']);
    t.equal(await c.ctl(['get', '/p/a', '--print-value-only']), 'a2\n');
    t.equal(await c.ctl(['get', '/p/a', '--print-value-only', '--rev', String(before.kvs![0]!.mod_revision)]), 'a\n', 'old revision');
    const sorted = await c.ctl(['get', '/p/', '--prefix', '--sort-by=MODIFY', '--order=DESCEND', '--keys-only']);
    t.equal(sorted.split('\n')[0], '/p/a', 'sorted by mod revision, descending');
    t.equal(await c.ctl(['get', '/p/b', '--consistency=s', '--print-value-only'], { endpoints: c.endpoint(follower) }), 'b\n', 'serializable read');
  });

  await t.test('etcdctl - del', async (t) => {
    t.equal(await c.ctl(['del', '/p/', '--prefix']), '3\n');
    t.equal(await c.ctl(['get', '/p/', '--prefix']), '');
    t.equal(await c.ctl(['del', '/nothing']), '0\n');
    t.equal(await c.ctl(['del', '/q', '--prev-kv']), '1\n/q\nother\n');
  });

  await t.test('etcdctl - txn -i takes the branch its compares choose', async (t) => {
    await c.ctl(['put', '/txn/k', 'v1']);
    const ok = await c.ctl(['txn', '-i'], { input: 'value("/txn/k") = "v1"\n\nput /txn/k v2\nput /txn/other x\n\nput /txn/k failed\n\n' });
    t.match(ok, /SUCCESS\s+OK\s+OK/);
    t.equal(await c.ctl(['get', '/txn/k', '--print-value-only']), 'v2\n');
    const no = await c.ctl(['txn', '-i'], { input: 'value("/txn/k") = "v1"\n\nput /txn/k v3\n\nget /txn/k\n\n' });
    t.match(no, /FAILURE\s+\/txn\/k\s+v2/);
    const out = await c.ctl(['txn', '-i', '-w', 'json'], { input: 'version("/txn/k") > "0"\nmod("/txn/k") > "1"\n\nget /txn/k\nput /txn/k v4\n\n\n' });
    const js = JSON.parse(out.slice(out.indexOf('{'))) as {
      succeeded: boolean;
      responses: { Response: { ResponseRange?: { kvs: { value: string }[] }; ResponsePut?: object } }[];
    };
    t.equal(js.succeeded, true);
    t.equal(unb64(js.responses[0]!.Response.ResponseRange!.kvs[0]!.value), 'v2');
    t.ok(js.responses[1]!.Response.ResponsePut, 'put response');
  });

  await t.test('etcdctl - lease grant, keep-alive --once, timetolive --keys, key expiry (through a follower)', async (t) => {
    const ep = { endpoints: c.endpoint(follower) };
    const g = await c.ctl(['lease', 'grant', '100'], ep);
    const id = /lease ([0-9a-f]+) granted with TTL\(100s\)/.exec(g)?.[1];
    t.ok(id, g);
    await c.ctl(['put', '/lease/k1', 'v', '--lease', id!], ep);
    await c.ctl(['put', '/lease/k2', 'v', '--lease', id!], ep);
    t.match(await c.ctl(['lease', 'keep-alive', '--once', id!], ep), new RegExp(`lease ${id} keepalived with TTL\\(100\\)`));
    t.match(await c.ctl(['lease', 'timetolive', '--keys', id!], ep), new RegExp(`lease ${id} granted with TTL\\(100s\\), remaining\\(\\d+s\\), attached keys\\(\\[/lease/k1 /lease/k2\\]\\)`));
    t.match(await c.ctl(['lease', 'list']), new RegExp(id!));
    t.equal((await c.ctl(['lease', 'revoke', id!])).trim(), `lease ${id} revoked`);
    t.equal(await c.ctl(['get', '/lease/', '--prefix']), '', 'revoke deletes the keys');

    // a short lease that nobody keeps alive expires on the leader and its key goes away
    const short = /lease ([0-9a-f]+) granted/.exec(await c.ctl(['lease', 'grant', '2'], ep))![1]!;
    await c.ctl(['put', '/lease/short', 'v', '--lease', short], ep);
    t.equal(await c.ctl(['get', '/lease/short', '--print-value-only']), 'v\n');
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      await sleep(200);
      gone = (await c.ctl(['get', '/lease/short'], ep)) === '';
    }
    t.ok(gone, 'the key expired with its lease');
    t.match(await c.ctl(['lease', 'timetolive', short], ep), /already expired/);
  });

  await t.test('etcdctl - watch --prefix sees live events; watch --rev replays history', async (t) => {
    const first = (JSON.parse(await c.ctl(['put', '/w/a', '1', '-w', 'json'])) as GetJson).header.revision;
    await c.ctl(['put', '/w/b', '2']);
    // etcdctl watch runs until stopped: read its output for a bounded time, then kill it
    const watch = (args: string[], until: (out: string) => boolean): Promise<string> =>
      new Promise((resolve) => {
        const p = spawn(ETCDCTL, ['--endpoints', c.endpoint(follower), 'watch', ...args], { env: { ...process.env, ETCDCTL_API: '3' } });
        let out = '';
        const done = (): void => {
          clearTimeout(timer);
          p.kill('SIGKILL');
          resolve(out);
        };
        const timer = setTimeout(done, 15_000);
        p.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (until(out)) done();
        });
      });
    const replay = await watch(['/w/', '--prefix', '--rev', String(first)], (o) => o.includes('/w/b'));
    t.equal(replay, 'PUT\n/w/a\n1\nPUT\n/w/b\n2\n', 'history from --rev');
    const live = watch(['/w/', '--prefix', '--prev-kv'], (o) => o.includes('DELETE'));
    await sleep(500); // let the watch be created
    await c.ctl(['put', '/w/a', '3']);
    await c.ctl(['put', '/x/not-watched', '0']);
    await c.ctl(['del', '/w/b']);
    t.equal(await live, 'PUT\n/w/a\n1\n/w/a\n3\nDELETE\n/w/b\n2\n/w/b\n\n', 'live events with prev kv, in order');
  });

  await t.test('etcdctl - member list, endpoint status and health (-w json)', async (t) => {
    const ml = JSON.parse(await c.ctl(['member', 'list', '-w', 'json'])) as { members: { ID: number; name: string; peerURLs: string[]; clientURLs: string[] }[] };
    t.same(ml.members.map((m) => m.name).sort(), ['m1', 'm2', 'm3']);
    for (const m of ml.members) {
      const spec = c.member(m.name);
      t.same(m.peerURLs, [`http://127.0.0.1:${spec.peerPort}`]);
      t.same(m.clientURLs, [`http://127.0.0.1:${spec.clientPort}`]);
    }
    const st = JSON.parse(await c.ctl(['endpoint', 'status', '-w', 'json'])) as {
      Endpoint: string;
      Status: { header: { member_id: number; raft_term: number; revision: number }; version: string; dbSize: number; leader: number; raftIndex: number; raftTerm: number; raftAppliedIndex: number };
    }[];
    t.equal(st.length, 3);
    const leaders = new Set(st.map((s) => s.Status.leader));
    t.equal(leaders.size, 1, 'one leader');
    t.ok(ml.members.some((m) => m.ID === [...leaders][0]), 'the leader is a member');
    for (const s of st) {
      t.match(s.Status.version, /^3\.4\./);
      t.ok(s.Status.dbSize > 0, 'dbSize');
      t.ok(s.Status.raftIndex > 0 && s.Status.raftAppliedIndex > 0 && s.Status.raftTerm > 0, 'raft fields');
      t.equal(s.Status.header.raft_term, s.Status.raftTerm);
    }
    const health = JSON.parse(await c.ctl(['endpoint', 'health', '-w', 'json'])) as { endpoint: string; health: boolean }[];
    t.equal(health.length, 3);
    t.ok(health.every((h) => h.health), 'all healthy');
    const hash = await c.ctl(['endpoint', 'hashkv', '-w', 'json']);
    const hashes = new Set((JSON.parse(hash) as { HashKV: { hash: number } }[]).map((h) => h.HashKV.hash));
    t.equal(hashes.size, 1, 'every member has the same key-value hash');
  });

  await t.test('etcdctl - snapshot save writes the whole state', async (t) => {
    await c.ctl(['put', '/snap/k', 'in the snapshot']);
    const file = join(c.root, 'backup.db');
    t.match(await c.ctl(['snapshot', 'save', file], { endpoints: c.endpoint(follower) }), /Snapshot saved at/);
    t.equal(statSync(file).size % 512, 32, 'etcd file shape: pages + sha256');
    const state = StoreSnapshot.decode(decodeSnapshotFile(readFileSync(file)));
    t.same(state.members.map((m) => m.name).sort(), ['m1', 'm2', 'm3']);
    const mvcc = new MvccStore();
    mvcc.restore(state.mvcc);
    const r = mvcc.range({ key: Buffer.from('/snap/k') });
    t.equal(r.ok && Buffer.from(r.value.kvs[0]!.value).toString(), 'in the snapshot');
  });

  await t.test('etcdctl - compaction, then reads below it are refused', async (t) => {
    await c.ctl(['put', '/c/k', '1']);
    const rev = (JSON.parse(await c.ctl(['put', '/c/k', '2', '-w', 'json'])) as GetJson).header.revision;
    t.equal((await c.ctl(['compact', String(rev)])).trim(), `compacted revision ${rev}`);
    const r = await c.etcdctl(['get', '/c/k', '--rev', String(rev - 1)]);
    t.not(r.code, 0);
    t.match(r.stderr, /Error: etcdserver: mvcc: required revision has been compacted/);
    t.match(r.stderr, /code = OutOfRange/);
    t.equal(await c.ctl(['get', '/c/k', '--print-value-only', '--rev', String(rev)]), '2\n');
  });

  await t.test('etcdctl - move-leader hands leadership to a follower', async (t) => {
    const st = JSON.parse(await c.ctl(['endpoint', 'status', '-w', 'json'])) as { Status: { header: { member_id: number }; leader: number } }[];
    const target = st.find((s) => s.Status.header.member_id !== s.Status.leader)!.Status.header.member_id;
    t.match(await c.ctl(['move-leader', target.toString(16)]), /Leadership transferred/);
    t.equal(await c.waitReady(), target, 'the target leads');
  });
});
