import t from 'tap';
import { MemoryStorage } from '../../raft/storage/memory-storage.js';
import { RaftError } from '../../raft/core/errors.js';
import type { Entry } from '../../raft/core/types.js';
import { EntryType } from '../../raft/core/types.js';

const ent = (index: number, term: number): Entry => ({ index, term, type: EntryType.Normal, data: new Uint8Array([index]) });

t.test('memory storage - append replaces a conflicting suffix', async (t) => {
  const s = MemoryStorage.withVoters([1, 2, 3]);
  s.append([ent(1, 1), ent(2, 1), ent(3, 1)]);
  s.append([ent(2, 2)]);
  t.equal(s.lastIndex(), 2);
  t.equal(s.term(2), 2);
  t.equal(s.term(1), 1);
});

t.test('memory storage - a gap is refused', async (t) => {
  const s = new MemoryStorage();
  s.append([ent(1, 1)]);
  t.throws(() => s.append([ent(3, 1)]), /gap/);
});

t.test('memory storage - snapshot compacts and keeps the boundary term', async (t) => {
  const s = MemoryStorage.withVoters([1]);
  s.append([ent(1, 1), ent(2, 1), ent(3, 2), ent(4, 2)]);
  s.setHardState({ term: 2, vote: 1, commit: 4 });
  s.createSnapshot(3, { voters: [1], learners: [] }, new Uint8Array([9]), 1);
  t.equal(s.firstIndex(), 3);
  t.equal(s.term(2), 1);
  t.equal(s.term(3), 2);
  t.throws(() => s.entries(1, 3, Infinity), RaftError);
  t.same(s.entries(3, 5, Infinity).map((e) => e.index), [3, 4]);
  t.equal(s.snapshot().meta.index, 3);
});

t.test('memory storage - entries respects the byte limit but returns at least one', async (t) => {
  const s = new MemoryStorage();
  s.append([ent(1, 1), ent(2, 1), ent(3, 1)]);
  t.equal(s.entries(1, 4, 1).length, 1);
  t.equal(s.entries(1, 4, 1000).length, 3);
});
