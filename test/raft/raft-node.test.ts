import t from 'tap';
import type { ConfChange, ConfState, Entry, NodeId } from '../../raft/core/types.js';
import { ConfChangeType, EMPTY } from '../../raft/core/types.js';
import { NodeError, NodeErrorCode } from '../../raft/node/errors.js';
import { MemoryNodeStorage, bootstrapIfEmpty } from '../../raft/node/node-storage.js';
import type { StateMachine } from '../../raft/node/raft-node.js';
import { RaftNode } from '../../raft/node/raft-node.js';
import { MemoryTransport } from '../../raft/transport/memory-transport.js';
import { seeded } from './helpers/net.js';
import { MemoryNetwork, memberTransport, until } from './helpers/node-net.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Records every applied payload as a string; its snapshot is the whole list. */
class Recorder implements StateMachine {
  confChanges: string[] = [];
  onConf: ((cc: ConfChange) => void) | undefined;
  applyConfChange(cc: ConfChange, conf: ConfState, index: number): void {
    this.confChanges.push(`${index}:${cc.type}:${cc.node}:${conf.voters.join(',')}/${conf.learners.join(',')}`);
    this.onConf?.(cc);
  }
  values: string[] = [];
  indexes: number[] = [];
  restores = 0;
  apply(entries: Entry[]): void {
    for (const e of entries) {
      this.values.push(dec.decode(e.data));
      this.indexes.push(e.index);
    }
  }
  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify(this.values));
  }
  restore(data: Uint8Array): void {
    this.restores++;
    this.values = JSON.parse(dec.decode(data)) as string[];
    this.indexes = [];
  }
}

interface Member {
  id: NodeId;
  node: RaftNode;
  sm: Recorder;
  disk: MemoryNodeStorage;
}

async function founding(ids: NodeId[]): Promise<MemoryNodeStorage> {
  const disk = MemoryNodeStorage.open();
  await bootstrapIfEmpty(disk, ids);
  return disk;
}

class Cluster {
  readonly net = new MemoryNetwork();
  readonly members = new Map<NodeId, Member>();
  private seed = 1;
  constructor(
    readonly ids: NodeId[],
    readonly opts: { snapshotEvery?: number; snapshotKeep?: number; leaderSendsBeforePersist?: boolean } = {},
  ) {}

  async start(): Promise<void> {
    for (const id of this.ids) await this.startMember(id, await founding(this.ids));
  }

  async startMember(id: NodeId, disk: MemoryNodeStorage): Promise<Member> {
    const sm = new Recorder();
    const transport = memberTransport(this.net, id, this.ids);
    // a member added later becomes reachable once its AddLearner/AddVoter is applied
    sm.onConf = (cc) => {
      if (cc.type !== ConfChangeType.Remove && cc.node !== id) transport.addPeer(cc.node, `m${cc.node}`);
    };
    const node = new RaftNode({
      id,
      storage: disk,
      transport,
      stateMachine: sm,
      raftConfig: { electionTick: 10, random: seeded(this.seed++ * 7 + id) },
      tickMs: 10,
      requestTimeoutMs: 3000,
      ...this.opts,
    });
    await node.start();
    const m = { id, node, sm, disk };
    this.members.set(id, m);
    return m;
  }

  member(id: NodeId): Member {
    const m = this.members.get(id);
    if (!m) throw new Error(`no member ${id}`);
    return m;
  }

  async leader(exclude: NodeId[] = []): Promise<Member> {
    let found: Member | undefined;
    await until('a leader', () => {
      found = [...this.members.values()].find((m) => !exclude.includes(m.id) && m.node.isLeader && m.node.status().state === 'running');
      return found !== undefined;
    });
    return found!;
  }

  followers(leader: Member): Member[] {
    return [...this.members.values()].filter((m) => m !== leader);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.members.values()].map((m) => m.node.stop({ transferLeadership: false })));
  }
}

async function startCluster(t: { teardown(f: () => unknown): void }, ids: NodeId[] = [1, 2, 3], opts = {}): Promise<Cluster> {
  const c = new Cluster(ids, opts);
  t.teardown(() => c.stopAll());
  await c.start();
  return c;
}

t.test('raft node - three members elect a leader and apply proposals on every member', async (t) => {
  const c = await startCluster(t);
  const leader = await c.leader();
  const results = await Promise.all(['a', 'b', 'c'].map((v) => leader.node.propose(enc.encode(v))));
  const indexes = results.map((r) => r.index);
  t.same([...indexes].sort((a, b) => a - b), [...new Set(indexes)].sort((a, b) => a - b), 'each proposal has its own index');
  t.same([...leader.sm.values].sort(), ['a', 'b', 'c'], 'applied on the leader when propose resolves');
  for (const m of c.followers(leader)) {
    await until(`member ${m.id} applies`, () => m.sm.values.length === 3);
    t.same(m.sm.values, leader.sm.values, `member ${m.id} applied the same entries in the same order`);
  }
});

t.test('raft node - a leader sending before its own write still only acknowledges durable entries', async (t) => {
  const c = await startCluster(t, [1, 2, 3], { leaderSendsBeforePersist: true });
  const leader = await c.leader();
  // a slow leader disk: the followers' acknowledgments arrive while the leader still writes
  leader.disk.saveDelayMs = 15;
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      leader.node.propose(enc.encode(`e${i}`)).then(({ index }) => ({ index, persisted: leader.disk.reopen().storage.lastIndex() })),
    ),
  );
  for (const r of results) t.ok(r.persisted >= r.index, `entry ${r.index} was on the leader's disk (last ${r.persisted}) when acknowledged`);
  leader.disk.saveDelayMs = 0;
  // and a restart from that disk brings back what it acknowledged
  await leader.node.stop({ transferLeadership: false });
  const again = await c.startMember(leader.id, leader.disk.reopen());
  await until('restarted leader re-applies', () => again.sm.values.length >= 10);
  t.same(again.sm.values.slice(0, 10), leader.sm.values.slice(0, 10));
});

t.test('raft node - a proposal on a follower is forwarded and resolves once applied there', async (t) => {
  const c = await startCluster(t);
  const leader = await c.leader();
  const f = c.followers(leader)[0]!;
  await until('follower knows the leader', () => f.node.leaderId === leader.id);
  const { index } = await f.node.propose(enc.encode('via follower'));
  t.ok(f.sm.indexes.includes(index), 'applied on the follower at the returned index');
  await until('leader applies', () => leader.sm.values.includes('via follower'));
});

t.test('raft node - a read index on a follower sees every write acknowledged before it', async (t) => {
  const c = await startCluster(t);
  const leader = await c.leader();
  const f = c.followers(leader)[1]!;
  await until('follower knows the leader', () => f.node.leaderId === leader.id);
  for (let i = 0; i < 20; i++) await leader.node.propose(enc.encode(`w${i}`));
  await Promise.all([f.node.readIndex(), f.node.readIndex(), f.node.readIndex()]);
  t.equal(f.sm.values.length, 20, 'the follower applied all 20 writes before the read returned');
  await leader.node.readIndex();
  t.equal(leader.sm.values.length, 20);
});

t.test('raft node - a proposal with no leader is dropped at once', async (t) => {
  const c = new Cluster([1, 2, 3]);
  t.teardown(() => c.stopAll());
  // only one member up: it can never learn of a leader
  await c.startMember(1, await founding([1, 2, 3]));
  const err = await c.member(1).node.propose(enc.encode('x')).catch((e: unknown) => e);
  t.ok(err instanceof NodeError && err.code === NodeErrorCode.Dropped, `dropped: ${String(err)}`);
  const rerr = await c.member(1).node.readIndex().catch((e: unknown) => e);
  t.ok(rerr instanceof NodeError && rerr.code === NodeErrorCode.Dropped, `read dropped: ${String(rerr)}`);
});

t.test('raft node - a member restarted from its storage recovers its state and catches up', async (t) => {
  const c = await startCluster(t);
  const leader = await c.leader();
  for (let i = 0; i < 10; i++) await leader.node.propose(enc.encode(`before${i}`));
  const victim = c.followers(leader)[0]!;
  await until('victim applies', () => victim.sm.values.length === 10);
  // crash: stop without flushing anything else, keep only what was "fsynced"
  await victim.node.stop({ transferLeadership: false });
  for (let i = 0; i < 10; i++) await leader.node.propose(enc.encode(`during${i}`));
  const again = await c.startMember(victim.id, victim.disk.reopen());
  await until('restarted member catches up', () => again.sm.values.length === 20);
  t.same(again.sm.values, leader.sm.values, 'same entries in the same order after restart');
});

t.test('raft node - snapshots compact the log and a member that fell behind is sent one', async (t) => {
  const c = await startCluster(t, [1, 2, 3], { snapshotEvery: 20, snapshotKeep: 5 });
  const leader = await c.leader();
  const lagger = c.followers(leader)[0]!;
  await leader.node.propose(enc.encode('first'));
  await until('lagger applies', () => lagger.sm.values.length === 1);
  c.net.isolate(lagger.id);
  for (let i = 0; i < 60; i++) await leader.node.propose(enc.encode(`v${i}`));
  const st = leader.node.status();
  t.ok(st.snapshotIndex >= 40, `leader took a snapshot (at ${st.snapshotIndex})`);
  c.net.healAll();
  await until('lagger catches up', () => lagger.sm.values.length === 61);
  t.ok(lagger.sm.restores >= 1, 'the lagging member installed a snapshot');
  t.same(lagger.sm.values, leader.sm.values);
  // and the leader's state survives its own restart from the compacted storage
  await leader.node.stop({ transferLeadership: false });
  const again = await c.startMember(leader.id, leader.disk.reopen());
  await until('restarted leader applies everything', () => again.sm.values.length === 61);
  t.same(again.sm.values, lagger.sm.values);
});

t.test('raft node - stopping the leader hands leadership to a follower first', async (t) => {
  const c = await startCluster(t);
  const leader = await c.leader();
  await leader.node.propose(enc.encode('x'));
  await leader.node.stop();
  const others = c.followers(leader);
  await until('a follower leads', () => others.some((m) => m.node.isLeader));
  const next = others.find((m) => m.node.isLeader)!;
  t.not(next.id, leader.id);
  const { index } = await next.node.propose(enc.encode('after'));
  t.ok(index > 0);
  const err = await leader.node.propose(enc.encode('late')).catch((e: unknown) => e);
  t.ok(err instanceof NodeError && err.code === NodeErrorCode.Stopped, 'a stopped node refuses proposals');
});

t.test('raft node - transferLeadership moves the leader to the named member', async (t) => {
  const c = await startCluster(t);
  const leader = await c.leader();
  const target = c.followers(leader)[1]!;
  await leader.node.propose(enc.encode('x'));
  await leader.node.transferLeadership(target.id);
  await until('target leads', () => target.node.isLeader);
  t.equal(target.node.leaderId, target.id);
  const follower = c.member(leader.id);
  await until('old leader follows', () => follower.node.leaderId === target.id);
  const err = await follower.node.transferLeadership(leader.id).catch((e: unknown) => e);
  t.ok(err instanceof NodeError && err.code === NodeErrorCode.Dropped, `a follower cannot transfer: ${String(err)}`);
});

t.test('raft node - an entry overwritten by a new leader rejects its proposal as lost', async (t) => {
  const c = await startCluster(t);
  const old = await c.leader();
  await old.node.propose(enc.encode('committed'));
  c.net.isolate(old.id);
  const doomed = old.node.propose(enc.encode('doomed')).catch((e: unknown) => e);
  const next = await c.leader([old.id]);
  await next.node.propose(enc.encode('new-leader'));
  c.net.healAll();
  const err = await doomed;
  t.ok(err instanceof NodeError && err.code === NodeErrorCode.Lost, `lost: ${String(err)}`);
  await until('old leader applies the new entry', () => old.sm.values.includes('new-leader'));
  t.notOk(old.sm.values.includes('doomed'));
});

t.test('raft node - leader changes are reported to listeners', async (t) => {
  const c = new Cluster([1, 2, 3]);
  t.teardown(() => c.stopAll());
  const seen: NodeId[] = [];
  const disk1 = await founding([1, 2, 3]);
  const m1 = await c.startMember(1, disk1);
  m1.node.onLeaderChange((ch) => seen.push(ch.leader));
  await c.startMember(2, await founding([1, 2, 3]));
  await c.startMember(3, await founding([1, 2, 3]));
  const leader = await c.leader();
  await until('member 1 sees the leader', () => seen.includes(leader.id));
  t.ok(seen.includes(leader.id));
});

t.test('raft node - a storage error stops the node and fails pending proposals', async (t) => {
  const c = await startCluster(t);
  const leader = await c.leader();
  await leader.node.propose(enc.encode('ok'));
  const failures: NodeError[] = [];
  leader.node.onFailure((e) => failures.push(e));
  leader.disk.failNext = new Error('EIO: disk on fire');
  const err = await leader.node.propose(enc.encode('x')).catch((e: unknown) => e);
  t.ok(err instanceof NodeError && err.code === NodeErrorCode.Failed, `failed: ${String(err)}`);
  t.match(String((err as Error).message), /disk on fire/);
  t.equal(failures.length, 1);
  t.equal(leader.node.status().state, 'failed');
  // the others carry on without it
  const next = await c.leader([leader.id]);
  await next.node.propose(enc.encode('after'));
});

t.test('raft node - options are validated at construction', async (t) => {
  const disk = await founding([1]);
  const net = new MemoryNetwork();
  t.throws(
    () => new RaftNode({ id: 1, storage: disk, transport: memberTransport(net, 1, [1]), stateMachine: new Recorder(), tickMs: 0 }),
    /tickMs/,
  );
});

t.test('raft node - a single member elects itself and commits alone', async (t) => {
  const c = await startCluster(t, [1]);
  const m = c.member(1);
  m.node.campaign();
  await until('leader', () => m.node.isLeader);
  const { index } = await m.node.propose(enc.encode('solo'));
  t.ok(index > 1);
  await m.node.readIndex();
  t.same(m.sm.values, ['solo']);
});

t.test('raft node - a transport that cannot start fails the start', async (t) => {
  const net = new MemoryNetwork();
  const squatter = memberTransport(net, 9, [9]);
  await squatter.start();
  t.teardown(() => squatter.close());
  const disk = await founding([1]);
  // listen on the address another transport holds
  const transport = new MemoryTransport({ network: net, id: 1, listen: 'm9' });
  const node = new RaftNode({ id: 1, storage: disk, transport, stateMachine: new Recorder() });
  const err = await node.start().catch((e: unknown) => e);
  t.ok(err instanceof NodeError && err.code === NodeErrorCode.Failed, `start failed: ${String(err)}`);
  t.equal(node.status().state, 'failed');
  await node.stop();
});

t.test('raft node - a member joins as a learner, catches up, is promoted and can lead', async (t) => {
  const c = await startCluster(t, [1, 2, 3], { snapshotEvery: 20, snapshotKeep: 5 });
  const leader = await c.leader();
  for (let i = 0; i < 40; i++) await leader.node.propose(enc.encode(`v${i}`));
  await leader.node.proposeConfChange({ type: ConfChangeType.AddLearner, node: 4, context: EMPTY });
  t.same(leader.node.membership(), { voters: [1, 2, 3], learners: [4] });
  t.ok(leader.sm.confChanges.some((x) => x.endsWith(':1:4:1,2,3/4')), 'the state machine saw the change in log order');
  // the new member starts empty and learns everything (a snapshot: the log was compacted)
  c.ids.push(4);
  const joined = await c.startMember(4, MemoryNodeStorage.open());
  await until('the learner has caught up', () => joined.sm.values.length >= 40 || joined.sm.restores > 0);
  await leader.node.proposeConfChange({ type: ConfChangeType.AddVoter, node: 4, context: EMPTY });
  await until('the new voter knows its membership', () => joined.node.membership().voters.includes(4));
  await leader.node.transferLeadership(4);
  await until('the new member leads', () => joined.node.isLeader);
  await joined.node.propose(enc.encode('from-4'));
  await until('every member applied it', () => [...c.members.values()].every((m) => m.sm.values.includes('from-4')));
  await joined.node.proposeConfChange({ type: ConfChangeType.Remove, node: 1, context: EMPTY });
  await until('member 1 is out everywhere', () => [2, 3, 4].every((id) => !c.member(id).node.membership().voters.includes(1)));
  await joined.node.propose(enc.encode('without-1'));
  await until('the rest applied it', () => [2, 3, 4].every((id) => c.member(id).sm.values.includes('without-1')));
});
