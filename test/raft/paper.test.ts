// One test per claim of the Raft paper's Figure 2 ("Rules for Servers") and Figure 3 (the
// guarantees), plus the extensions (pre-vote, check-quorum, read index, transfer).
import t from 'tap';
import { Raft } from '../../raft/core/raft.js';
import type { Entry, Message } from '../../raft/core/types.js';
import { ConfChangeType, EMPTY, EntryType, MessageType, emptyMessage } from '../../raft/core/types.js';
import { MemoryStorage } from '../../raft/storage/memory-storage.js';
import { Net, seeded, text, untext } from './helpers/net.js';

const NO_PREVOTE = { preVote: false, checkQuorum: false };

function msg(type: Message['type'], from: number, to: number, term: number, extra: Partial<Message> = {}): Message {
  return { ...emptyMessage(type, from, to, term), ...extra };
}

function single(id: number, voters: number[], opts = {}): { raft: Raft; storage: MemoryStorage } {
  const storage = MemoryStorage.withVoters(voters);
  return { raft: new Raft({ id, storage, random: seeded(id), ...NO_PREVOTE, ...opts }), storage };
}

function drainMessages(raft: Raft, storage: MemoryStorage): Message[] {
  const out: Message[] = [];
  while (raft.hasReady()) {
    const rd = raft.ready();
    if (rd.snapshot) storage.applySnapshot(rd.snapshot);
    storage.append(rd.entries);
    if (rd.hardState) storage.setHardState(rd.hardState);
    out.push(...rd.messages);
    raft.advance(rd);
  }
  return out;
}

const ent = (index: number, term: number): Entry => ({ index, term, type: EntryType.Normal, data: EMPTY });

t.test('paper §5.1 - a message with a newer term turns any role into a follower of that term', async (t) => {
  for (const role of ['follower', 'candidate', 'leader'] as const) {
    const net = new Net([1, 2, 3], NO_PREVOTE);
    if (role === 'candidate') net.node(1).raft.campaign();
    if (role === 'leader') net.elect(1);
    net.settle();
    const r = net.node(1).raft;
    const before = r.status().term;
    r.step(msg(MessageType.App, 2, 1, before + 5, { index: 0, logTerm: 0 }));
    t.equal(r.status().role, 'follower', `${role} steps down`);
    t.equal(r.status().term, before + 5, `${role} adopts the term`);
    t.equal(r.status().leader, 2, `${role} learns the leader`);
  }
});

t.test('paper §5.1 - a request with a stale term is rejected', async (t) => {
  const { raft, storage } = single(1, [1, 2, 3]);
  raft.step(msg(MessageType.Heartbeat, 2, 1, 5));
  drainMessages(raft, storage);
  raft.step(msg(MessageType.Vote, 3, 1, 4, { index: 10, logTerm: 4 }));
  const out = drainMessages(raft, storage);
  t.equal(raft.status().term, 5);
  t.equal(raft.status().vote, 0, 'no vote granted to a stale candidate');
  t.notOk(out.some((m) => m.type === MessageType.VoteResp && !m.reject), 'no grant sent');
});

t.test('paper §5.2 - a follower that hears nothing starts an election: new term, votes for itself, asks all', async (t) => {
  const { raft, storage } = single(1, [1, 2, 3]);
  for (let i = 0; i < 20; i++) raft.tick();
  const out = drainMessages(raft, storage);
  t.equal(raft.status().role, 'candidate');
  t.equal(raft.status().term, 1);
  t.equal(raft.status().vote, 1);
  t.same(out.filter((m) => m.type === MessageType.Vote).map((m) => m.to).sort(), [2, 3]);
  t.equal(storage.initialState().hardState.vote, 1, 'the vote is in the persisted hard state');
});

t.test('paper §5.2 - election timeouts are randomized in [electionTick, 2*electionTick)', async (t) => {
  const seen = new Set<number>();
  for (let seed = 1; seed <= 50; seed++) {
    const storage = MemoryStorage.withVoters([1, 2, 3]);
    const raft = new Raft({ id: 1, storage, random: seeded(seed), electionTick: 10, ...NO_PREVOTE });
    let ticks = 0;
    while (raft.status().role === 'follower' && ticks < 100) {
      raft.tick();
      ticks++;
    }
    t.ok(ticks >= 10 && ticks < 20, `timeout ${ticks} in range`);
    seen.add(ticks);
  }
  t.ok(seen.size > 3, `timeouts vary (${[...seen].join(',')})`);
});

t.test('paper §5.2 - a candidate with a majority of votes becomes leader and sends heartbeats', async (t) => {
  const net = new Net([1, 2, 3, 4, 5], NO_PREVOTE);
  net.isolate(4);
  net.isolate(5);
  net.elect(1);
  t.equal(net.node(1).raft.status().role, 'leader', '3 of 5 votes win');
  net.trace.length = 0;
  net.tick(1);
  net.settle();
  t.ok(net.trace.some((l) => l.startsWith('1->2 Heartbeat')), 'heartbeat after heartbeatTick');
});

t.test('paper §5.2 - a candidate without a majority does not become leader', async (t) => {
  const net = new Net([1, 2, 3, 4, 5], NO_PREVOTE);
  net.isolate(3);
  net.isolate(4);
  net.isolate(5);
  net.elect(1);
  t.equal(net.node(1).raft.status().role, 'candidate');
});

t.test('paper §5.2 - a candidate that hears from a leader of its term becomes follower', async (t) => {
  const { raft, storage } = single(1, [1, 2, 3]);
  raft.campaign();
  drainMessages(raft, storage);
  t.equal(raft.status().role, 'candidate');
  raft.step(msg(MessageType.App, 2, 1, 1, { index: 0, logTerm: 0 }));
  t.equal(raft.status().role, 'follower');
  t.equal(raft.status().leader, 2);
});

t.test('paper §5.2/§5.4.1 - vote granting: one vote per term, only for an up-to-date log', async (t) => {
  // voter's log: [1/1, 2/2]
  const cases: Array<{ name: string; index: number; logTerm: number; grant: boolean }> = [
    { name: 'higher last term, shorter log', index: 1, logTerm: 3, grant: true },
    { name: 'same last term, longer log', index: 3, logTerm: 2, grant: true },
    { name: 'same last term, same length', index: 2, logTerm: 2, grant: true },
    { name: 'same last term, shorter log', index: 1, logTerm: 2, grant: false },
    { name: 'lower last term, longer log', index: 9, logTerm: 1, grant: false },
  ];
  for (const c of cases) {
    const storage = MemoryStorage.withVoters([1, 2, 3]);
    storage.append([ent(1, 1), ent(2, 2)]);
    storage.setHardState({ term: 2, vote: 0, commit: 0 });
    const raft = new Raft({ id: 1, storage, random: seeded(1), ...NO_PREVOTE });
    raft.step(msg(MessageType.Vote, 2, 1, 3, { index: c.index, logTerm: c.logTerm }));
    const out = drainMessages(raft, storage);
    const resp = out.find((m) => m.type === MessageType.VoteResp);
    t.equal(resp?.reject, !c.grant, c.name);
  }
  const { raft, storage } = single(1, [1, 2, 3]);
  raft.step(msg(MessageType.Vote, 2, 1, 1));
  raft.step(msg(MessageType.Vote, 3, 1, 1));
  const out = drainMessages(raft, storage);
  t.same(
    out.map((m) => `${m.to}:${m.reject}`),
    ['2:false', '3:true'],
    'first come first served within a term',
  );
  raft.step(msg(MessageType.Vote, 2, 1, 1));
  t.equal(drainMessages(raft, storage)[0]?.reject, false, 'a repeated request from the same candidate is granted again');
});

t.test('paper §5.3 - the leader replicates entries and commits them once a majority stores them', async (t) => {
  const net = new Net([1, 2, 3, 4, 5]);
  net.elect(1);
  net.isolate(4);
  net.isolate(5);
  net.node(1).raft.propose(text('x'));
  net.settle();
  const st = net.node(1).raft.status();
  t.equal(st.commit, st.lastIndex, 'committed with 3 of 5');
  t.same(net.node(2).applied.map((e) => untext(e.data)).filter(Boolean), ['x'], 'followers apply after learning the commit');
  net.heal();
  net.tick(1);
  net.settle();
  t.same(net.node(5).applied.map((e) => untext(e.data)).filter(Boolean), ['x'], 'a lagging follower catches up');
});

t.test('paper §5.3 - AppendEntries is rejected when the previous entry does not match, conflicts are removed', async (t) => {
  const storage = MemoryStorage.withVoters([1, 2, 3]);
  storage.append([ent(1, 1), ent(2, 1), ent(3, 2)]);
  storage.setHardState({ term: 2, vote: 0, commit: 1 });
  const raft = new Raft({ id: 1, storage, random: seeded(1), ...NO_PREVOTE });
  raft.step(msg(MessageType.App, 2, 1, 3, { index: 3, logTerm: 3, entries: [ent(4, 3)], commit: 1 }));
  let out = drainMessages(raft, storage);
  t.equal(out[0]?.reject, true, 'prev term mismatch is rejected');
  t.equal(storage.lastIndex(), 3, 'nothing appended');
  raft.step(msg(MessageType.App, 2, 1, 3, { index: 2, logTerm: 1, entries: [ent(3, 3), ent(4, 3)], commit: 4 }));
  out = drainMessages(raft, storage);
  t.equal(out[0]?.reject, false);
  t.equal(out[0]?.index, 4);
  t.equal(storage.term(3), 3, 'conflicting entry replaced');
  t.equal(raft.status().commit, 4, 'commit follows the leader, up to the last new entry');
});

t.test('paper §5.3 - a rejection carries a hint so the leader skips a whole conflicting term', async (t) => {
  const storage = MemoryStorage.withVoters([1, 2, 3]);
  const es: Entry[] = [ent(1, 1)];
  for (let i = 2; i <= 50; i++) es.push(ent(i, 2));
  storage.append(es);
  storage.setHardState({ term: 2, vote: 0, commit: 1 });
  const raft = new Raft({ id: 1, storage, random: seeded(1), ...NO_PREVOTE });
  raft.step(msg(MessageType.App, 2, 1, 5, { index: 60, logTerm: 4, commit: 1 }));
  const out = drainMessages(raft, storage);
  t.equal(out[0]?.reject, true);
  t.equal(out[0]?.rejectHint, 50, 'hint: our last index with term <= 4');
  t.equal(out[0]?.hintTerm, 2);
});

t.test('paper §5.4.2 - a leader never commits an entry of an earlier term by counting replicas (Figure 8)', async (t) => {
  // the direct check of the rule: a log whose majority match points at an old-term entry
  const storage = MemoryStorage.withVoters([1, 2, 3]);
  storage.append([ent(1, 1), ent(2, 2)]);
  storage.setHardState({ term: 2, vote: 1, commit: 1 });
  const raft = new Raft({ id: 1, storage, random: seeded(1), ...NO_PREVOTE });
  raft.campaign();
  drainMessages(raft, storage);
  raft.step(msg(MessageType.VoteResp, 2, 1, 3));
  drainMessages(raft, storage);
  t.equal(raft.status().role, 'leader');
  // follower 2 acknowledges index 2 (a term-2 entry); the leader's term-3 no-op is at 3
  raft.step(msg(MessageType.AppResp, 2, 1, 3, { index: 2 }));
  drainMessages(raft, storage);
  t.equal(raft.status().commit, 1, 'index 2 (term 2) is on a majority but not committed');
  raft.step(msg(MessageType.AppResp, 2, 1, 3, { index: 3 }));
  drainMessages(raft, storage);
  t.equal(raft.status().commit, 3, 'committing the term-3 entry commits index 2 with it');
});

t.test('paper Figure 3 - leader completeness: a node missing committed entries cannot be elected', async (t) => {
  const net = new Net([1, 2, 3], NO_PREVOTE);
  net.elect(1);
  net.isolate(3);
  net.node(1).raft.propose(text('committed'));
  net.settle();
  t.ok(net.node(1).raft.status().commit >= 2);
  net.heal();
  net.isolate(1);
  net.node(3).raft.campaign();
  net.settle();
  t.not(net.node(3).raft.status().role, 'leader', '3 lacks a committed entry; 2 refuses its vote');
  net.node(2).raft.campaign();
  net.settle();
  t.equal(net.node(2).raft.status().role, 'leader');
  net.settle();
  t.ok(net.node(3).applied.some((e) => untext(e.data) === 'committed'), 'the new leader brings 3 up to date');
});

t.test('pre-vote - a partitioned member does not inflate its term and cannot disrupt the leader', async (t) => {
  const net = new Net([1, 2, 3], { preVote: true, checkQuorum: true });
  net.elect(1);
  const term = net.node(1).raft.status().term;
  net.isolate(3);
  for (let i = 0; i < 100; i++) {
    net.tick(3);
    net.settle();
  }
  t.equal(net.node(3).raft.status().term, term, 'term unchanged while isolated');
  net.heal();
  net.tick(3, 30);
  net.settle();
  t.equal(net.node(1).raft.status().role, 'leader', 'leader undisturbed');
  t.equal(net.node(1).raft.status().term, term);
});

t.test('check-quorum - a leader that hears from no majority for an election timeout steps down', async (t) => {
  const net = new Net([1, 2, 3], { checkQuorum: true });
  net.elect(1);
  net.isolate(1);
  for (let i = 0; i < 25; i++) {
    net.tick(1);
    net.settle();
  }
  t.equal(net.node(1).raft.status().role, 'follower');
});

t.test('read index - served only after a heartbeat round confirms leadership', async (t) => {
  const net = new Net([1, 2, 3]);
  net.elect(1);
  net.node(1).raft.propose(text('v'));
  net.settle();
  const commit = net.node(1).raft.status().commit;
  net.isolate(1);
  net.node(1).raft.readIndex(text('r1'));
  const rd = net.node(1).raft;
  const states: number[] = [];
  while (rd.hasReady()) {
    const r = rd.ready();
    states.push(...r.readStates.map((s) => s.index));
    rd.advance(r);
  }
  t.same(states, [], 'an isolated leader does not answer');
  net.heal();
  net.node(1).raft.readIndex(text('r2'));
  let got: Array<{ index: number; ctx: string }> = [];
  const collect = (): void => {
    for (const n of net.nodes.values()) {
      while (n.raft.hasReady()) {
        const r = n.raft.ready();
        got = got.concat(r.readStates.map((s) => ({ index: s.index, ctx: untext(s.context) })));
        n.storage.append(r.entries);
        if (r.hardState) n.storage.setHardState(r.hardState);
        for (const m of r.messages) net.deliver(m);
        n.raft.advance(r);
      }
    }
  };
  for (let i = 0; i < 10; i++) collect();
  t.same(got.map((g) => g.ctx).sort(), ['r1', 'r2'], 'both reads answered once a quorum acked');
  t.ok(got.every((g) => g.index === commit));
  // a follower's read is forwarded to the leader
  got = [];
  net.node(3).raft.readIndex(text('f1'));
  for (let i = 0; i < 10; i++) collect();
  t.same(got, [{ index: commit, ctx: 'f1' }]);
});

t.test('leadership transfer - the leader hands over to a caught-up member which wins at once', async (t) => {
  const net = new Net([1, 2, 3]);
  net.elect(1);
  net.node(1).raft.propose(text('a'));
  net.settle();
  net.node(1).raft.transferLeadership(3);
  net.settle();
  t.equal(net.node(3).raft.status().role, 'leader');
  t.equal(net.node(1).raft.status().role, 'follower');
  t.equal(net.node(3).raft.status().term, 2);
  t.equal(net.node(1).raft.propose(text('b')).ok, true, 'the old leader forwards proposals');
  net.settle();
  t.ok(net.node(2).applied.some((e) => untext(e.data) === 'b'));
});

t.test('leadership transfer - proposals are refused while a transfer is in progress', async (t) => {
  const net = new Net([1, 2, 3]);
  net.elect(1);
  net.isolate(3);
  net.node(1).raft.transferLeadership(3);
  const r = net.node(1).raft.propose(text('x'));
  t.equal(r.ok, false);
  // the transfer is abandoned after an election timeout
  net.tick(1, 12);
  net.settle();
  t.equal(net.node(1).raft.propose(text('y')).ok, true);
});

t.test('snapshot - a follower behind the compacted log is caught up with InstallSnapshot', async (t) => {
  const net = new Net([1, 2, 3]);
  net.elect(1);
  net.isolate(3);
  for (let i = 0; i < 20; i++) net.node(1).raft.propose(text(`k${i}`));
  net.settle();
  const leader = net.node(1);
  const applied = leader.raft.status().applied;
  leader.storage.createSnapshot(applied, leader.raft.status().conf, text(`snapshot@${applied}`), 2);
  net.heal();
  net.tick(1);
  net.settle();
  t.ok(net.trace.some((l) => l.startsWith('1->3 Snap')), 'a snapshot was sent');
  t.equal(net.node(3).storage.snapshot().meta.index, applied);
  net.node(1).raft.propose(text('after'));
  net.settle();
  t.ok(net.node(3).applied.some((e) => untext(e.data) === 'after'), 'replication continues after the snapshot');
});

t.test('membership - a learner catches up, is promoted, and a voter is removed', async (t) => {
  const net = new Net([1, 2, 3], {}, 1, 'bootstrap');
  net.elect(1);
  net.node(1).raft.propose(text('before'));
  net.settle();
  const storage = new MemoryStorage();
  net.nodes.set(4, { raft: new Raft({ id: 4, storage, random: seeded(4) }), storage, applied: [] });
  t.equal(net.node(1).raft.proposeConfChange({ type: ConfChangeType.AddLearner, node: 4, context: EMPTY }).ok, true);
  t.equal(
    net.node(1).raft.proposeConfChange({ type: ConfChangeType.AddVoter, node: 4, context: EMPTY }).ok,
    false,
    'one change at a time',
  );
  net.settle();
  net.tick(1);
  net.settle();
  t.same(net.node(1).raft.status().conf, { voters: [1, 2, 3], learners: [4] });
  t.ok(net.node(4).applied.some((e) => untext(e.data) === 'before'), 'the learner has the log');
  t.equal(net.node(1).raft.proposeConfChange({ type: ConfChangeType.AddVoter, node: 4, context: EMPTY }).ok, true);
  net.settle();
  t.same(net.node(4).raft.status().conf, { voters: [1, 2, 3, 4], learners: [] });
  t.equal(net.node(1).raft.proposeConfChange({ type: ConfChangeType.Remove, node: 1, context: EMPTY }).ok, true);
  net.settle();
  t.equal(net.node(1).raft.status().role, 'follower', 'a removed leader steps down');
  for (let i = 0; i < 30 && net.leader() === undefined; i++) {
    for (const id of [2, 3, 4]) net.tick(id);
    net.settle();
  }
  const l = net.leader();
  t.ok(l !== undefined && l !== 1, `a new leader among the rest (${l})`);
  net.node(l!).raft.propose(text('after'));
  net.settle();
  t.ok(net.node(4).applied.some((e) => untext(e.data) === 'after'));
});

t.test('lease-based read - answered at once inside the lease, not after it expires', async (t) => {
  const net = new Net([1, 2, 3], { readOnlyOption: 'lease-based', checkQuorum: true });
  net.elect(1);
  net.tick(1);
  net.settle(); // a heartbeat round establishes the lease
  const leader = net.node(1).raft;
  const readNow = (ctx: string): number[] => {
    leader.readIndex(text(ctx));
    const got: number[] = [];
    while (leader.hasReady()) {
      const r = leader.ready();
      got.push(...r.readStates.map((s) => s.index));
      leader.advance(r);
    }
    return got;
  };
  net.isolate(1);
  t.equal(readNow('in-lease').length, 1, 'inside the lease the leader answers without a round trip');
  // 8 ticks after the last acknowledged heartbeat (electionTick 10, margin 2) the lease is gone
  for (let i = 0; i < 8; i++) leader.tick();
  t.same(readNow('expired'), [], 'an expired lease falls back to a heartbeat round, which an isolated leader cannot finish');
});
