import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import type { NodeId } from '../../raft/core/types.js';
import { ArgsError, parseKvServerArgs } from '../../raft/demo/args.js';
import { kvHttpHandler } from '../../raft/demo/kv-http.js';
import { KvStateMachine } from '../../raft/demo/kv-state-machine.js';
import { MemoryNodeStorage, bootstrapIfEmpty } from '../../raft/node/node-storage.js';
import { RaftNode } from '../../raft/node/raft-node.js';
import { seeded } from './helpers/net.js';
import { MemoryNetwork, memberTransport, until } from './helpers/node-net.js';

interface Member {
  id: NodeId;
  node: RaftNode;
  server: Server;
  url: string;
}

async function startMember(net: MemoryNetwork, id: NodeId, ids: NodeId[]): Promise<Member> {
  const storage = MemoryNodeStorage.open();
  await bootstrapIfEmpty(storage, ids);
  const sm = new KvStateMachine();
  const node = new RaftNode({
    id,
    storage,
    transport: memberTransport(net, id, ids),
    stateMachine: sm,
    raftConfig: { electionTick: 10, random: seeded(id) },
    tickMs: 10,
  });
  await node.start();
  const server = createServer(kvHttpHandler({ node, sm, defaultTimeoutMs: 2000 }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { id, node, server, url: `http://127.0.0.1:${port}` };
}

async function stopMember(m: Member): Promise<void> {
  m.server.closeAllConnections();
  await new Promise((r) => m.server.close(r));
  await m.node.stop({ transferLeadership: false });
}

t.test('kv http - writes on any member, linearizable reads on every member', async (t) => {
  const net = new MemoryNetwork();
  const members = await Promise.all([1, 2, 3].map((id) => startMember(net, id, [1, 2, 3])));
  t.teardown(() => Promise.all(members.map(stopMember)));
  await until('a leader', () => members.some((m) => m.node.isLeader));
  const follower = members.find((m) => !m.node.isLeader)!;
  await until('follower knows the leader', () => follower.node.leaderId !== 0);

  const put = await fetch(`${follower.url}/kv/greeting`, { method: 'PUT', body: 'hello' });
  t.equal(put.status, 200);
  const { index } = (await put.json()) as { index: number };
  t.ok(index > 3, `index ${index} is after the bootstrap entries`);
  t.equal(put.headers.get('x-shoal-leader'), String(follower.node.leaderId));

  for (const m of members) {
    const get = await fetch(`${m.url}/kv/greeting`);
    t.equal(get.status, 200, `member ${m.id} answers`);
    t.equal(await get.text(), 'hello', `member ${m.id} has the value`);
  }
  const all = await fetch(`${members[2]!.url}/kv`);
  t.same(await all.json(), { greeting: 'hello' });

  const del = await fetch(`${members[0]!.url}/kv/greeting`, { method: 'DELETE' });
  t.equal(del.status, 200);
  const gone = await fetch(`${members[1]!.url}/kv/greeting`);
  t.equal(gone.status, 404);

  const status = (await (await fetch(`${members[0]!.url}/status`)).json()) as { id: number; leader: number; applied: number };
  t.equal(status.id, 1);
  t.not(status.leader, 0);

  const bad = await fetch(`${members[0]!.url}/kv/x?timeout=abc`, { method: 'PUT', body: 'v' });
  t.equal(bad.status, 400);
  const nope = await fetch(`${members[0]!.url}/nothing`);
  t.equal(nope.status, 404);
});

t.test('kv http - without a leader a write is refused with 503 and code dropped', async (t) => {
  const net = new MemoryNetwork();
  const lone = await startMember(net, 1, [1, 2, 3]);
  t.teardown(() => stopMember(lone));
  const res = await fetch(`${lone.url}/kv/k`, { method: 'PUT', body: 'v' });
  t.equal(res.status, 503);
  const body = (await res.json()) as { code: string; leader: number };
  t.equal(body.code, 'dropped');
  t.equal(body.leader, 0);
  t.equal(res.headers.get('x-shoal-leader'), '0');
});

t.test('kv server args - flags are parsed and validated', async (t) => {
  const a = parseKvServerArgs(['--id', '2', '--peers', '1=127.0.0.1:1,2=127.0.0.1:2', '--data-dir', '/d', '--http-port=8082', '--no-fsync']);
  t.equal(a.id, 2);
  t.same([...a.peers], [
    [1, '127.0.0.1:1'],
    [2, '127.0.0.1:2'],
  ]);
  t.equal(a.httpPort, 8082);
  t.equal(a.fsync, false);
  t.equal(a.tickMs, 100);
  t.throws(() => parseKvServerArgs(['--id', '3', '--peers', '1=127.0.0.1:1', '--data-dir', '/d', '--http-port', '1']), ArgsError);
  t.throws(() => parseKvServerArgs(['--id', '1', '--peers', '1=127.0.0.1:1', '--data-dir', '/d', '--http-port', '1', '--bogus', 'x']), /unknown flag/);
  t.throws(() => parseKvServerArgs(['--id', '1', '--peers', '1=127.0.0.1:1', '--data-dir', '/d', '--http-port', '99999']), /http-port/);
});
