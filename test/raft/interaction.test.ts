// Scripted interaction tests: each scenario's message trace is compared as readable text with
// the stored snapshot in tap-snapshots/. After an intended behaviour change, regenerate with
// `npx tap test/raft/interaction.test.ts --snapshot` and review the diff.
import t from 'tap';
import { Raft } from '../../raft/core/raft.js';
import type { Entry } from '../../raft/core/types.js';
import { EMPTY, EntryType } from '../../raft/core/types.js';
import { MemoryStorage } from '../../raft/storage/memory-storage.js';
import { Net, seeded } from './helpers/net.js';

t.test('interaction - election with pre-vote, first append, commit', async (t) => {
  const net = new Net([1, 2, 3]);
  net.elect(1);
  t.matchSnapshot(net.trace.join('\n'));
});

t.test('interaction - a follower with a divergent log is repaired by fast backtracking', async (t) => {
  // follower 2 holds 19 entries of term 1 that were never committed; leader 1 has term 3 from index 2
  const net = new Net([1, 2, 3], { preVote: false, checkQuorum: false });
  const logOf = (terms: number[]): Entry[] =>
    terms.map((term, i) => ({ term, index: i + 1, type: EntryType.Normal, data: EMPTY }));
  const install = (id: number, terms: number[], term: number): void => {
    const storage = MemoryStorage.withVoters([1, 2, 3]);
    storage.append(logOf(terms));
    storage.setHardState({ term, vote: 0, commit: 1 });
    net.nodes.set(id, { raft: new Raft({ id, storage, random: seeded(id), preVote: false, checkQuorum: false }), storage, applied: [] });
  };
  install(1, [1, 3, 3, 3, 3], 3);
  install(2, [1, ...Array<number>(19).fill(1)], 3);
  install(3, [1, 3, 3, 3, 3], 3);
  net.elect(1);
  t.matchSnapshot(net.trace.join('\n'));
  t.equal(net.node(2).storage.lastIndex(), 6, 'follower log replaced by the leader\'s');
  t.equal(net.node(2).storage.term(2), 3);
});

t.test('interaction - leadership transfer', async (t) => {
  const net = new Net([1, 2, 3]);
  net.elect(1);
  net.trace.length = 0;
  net.node(1).raft.transferLeadership(2);
  net.settle();
  t.matchSnapshot(net.trace.join('\n'));
});
