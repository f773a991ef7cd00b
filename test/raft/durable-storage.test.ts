import t from 'tap';
import { mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RaftError, RaftErrorCode } from '../../raft/core/errors.js';
import type { Entry, Snapshot } from '../../raft/core/types.js';
import { EntryType } from '../../raft/core/types.js';
import { DurableStorage } from '../../raft/storage/durable-storage.js';
import type { MemoryStorage } from '../../raft/storage/memory-storage.js';
import { saveSnapshot, snapshotFileName } from '../../raft/storage/snapshot-files.js';
import { Wal } from '../../raft/storage/wal.js';

const ent = (index: number, term: number): Entry => ({
  index,
  term,
  type: EntryType.Normal,
  data: Uint8Array.from({ length: 16 }, (_, k) => (index + k) & 0xff),
});
const range = (lo: number, hi: number, term: number): Entry[] =>
  Array.from({ length: hi - lo + 1 }, (_, k) => ent(lo + k, term));
const conf = { voters: [1, 2, 3], learners: [] };
const leaderSnap = (index: number, term: number): Snapshot => ({
  meta: { index, term, conf },
  data: new Uint8Array([1, 2, 3]),
});

async function tempDir(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-durable-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Everything the core can read, as one comparable value. */
const view = (s: MemoryStorage) => ({
  initial: s.initialState(),
  snapshot: s.snapshot(),
  first: s.firstIndex(),
  last: s.lastIndex(),
  entries: s.lastIndex() >= s.firstIndex() ? s.entries(s.firstIndex(), s.lastIndex() + 1, Infinity) : [],
});

t.test('durable storage - reopen rebuilds the in-memory log from snapshot files and the WAL', async (t) => {
  const dir = await tempDir(t);
  const opts = { segmentBytes: 400 };
  let ds = await DurableStorage.open(dir, opts);
  t.equal(ds.storage.lastIndex(), 0, 'a new node starts empty');
  for (let i = 1; i <= 30; i += 3) await ds.save({ hardState: { term: 1, vote: 1, commit: i - 1 }, entries: range(i, i + 2, 1) });
  await ds.save({ hardState: { term: 2, vote: 2, commit: 30 }, entries: range(29, 32, 2) }); // overwrites 29..30
  const walDir = join(dir, 'wal');
  const segmentsBefore = (await readdir(walDir)).length;

  const snap = ds.storage.createSnapshot(25, conf, new Uint8Array([42]));
  await ds.saveSnapshotAndCompact(snap);
  t.ok((await readdir(walDir)).length < segmentsBefore, 'WAL segments before the snapshot were released');
  await ds.save({ hardState: { term: 2, vote: 2, commit: 33 }, entries: range(33, 35, 2) });
  const expected = view(ds.storage);
  await ds.close();

  ds = await DurableStorage.open(dir, opts);
  t.same(view(ds.storage), expected);
  t.equal(ds.storage.firstIndex(), 26);
  t.equal(ds.storage.term(25), 1, 'the boundary term comes from the snapshot');
  t.equal(ds.storage.term(29), 2, 'the overwritten suffix stays overwritten');
  t.same(ds.warnings, []);
  await ds.close();
});

t.test('durable storage - a snapshot from the leader replaces the log', async (t) => {
  const dir = await tempDir(t);
  let ds = await DurableStorage.open(dir);
  await ds.save({ hardState: { term: 1, vote: 1, commit: 3 }, entries: range(1, 5, 1) });
  const before = ds.walFsyncCount;
  await ds.save({ hardState: { term: 3, vote: 0, commit: 100 }, entries: [], snapshot: leaderSnap(100, 3) });
  t.equal(ds.walFsyncCount - before, 1, 'the WAL marker and the hard state share one fsync');
  t.equal(ds.storage.firstIndex(), 101);
  t.equal(ds.storage.lastIndex(), 100);
  await ds.save({ entries: range(101, 102, 3) });
  const expected = view(ds.storage);
  await ds.close();

  ds = await DurableStorage.open(dir);
  t.same(view(ds.storage), expected);
  await ds.close();
});

t.test('durable storage - a snapshot file the WAL never marked (crash in between) is marked on open', async (t) => {
  for (const snapIndex of [8, 50]) {
    const dir = await tempDir(t);
    let ds = await DurableStorage.open(dir);
    await ds.save({ hardState: { term: 1, vote: 1, commit: 10 }, entries: range(1, 10, 1) });
    await ds.close();
    await saveSnapshot(join(dir, 'snap'), leaderSnap(snapIndex, 1));

    ds = await DurableStorage.open(dir);
    t.equal(ds.storage.snapshot().meta.index, snapIndex, `${snapIndex}: the snapshot is used`);
    t.equal(ds.storage.firstIndex(), snapIndex + 1);
    t.equal(ds.storage.lastIndex(), Math.max(10, snapIndex));
    // The log continues right after what the core now sees.
    const next = ds.storage.lastIndex() + 1;
    await ds.save({ entries: [ent(next, 2)] });
    await ds.close();

    const { wal, replay } = await Wal.open(join(dir, 'wal'));
    t.equal(replay.snapshotIndex, snapIndex, `${snapIndex}: the WAL now carries the marker`);
    t.equal(replay.entries[replay.entries.length - 1]?.index, next);
    await wal.close();
  }
});

t.test('durable storage - a WAL marker without an intact snapshot file is refused', async (t) => {
  {
    const dir = await tempDir(t);
    const ds = await DurableStorage.open(dir);
    await ds.save({ hardState: { term: 1, vote: 1, commit: 10 }, entries: range(1, 10, 1) });
    await ds.saveSnapshotAndCompact(ds.storage.createSnapshot(5, conf, new Uint8Array([5])));
    await ds.close();
    await unlink(join(dir, 'snap', snapshotFileName(5, 1)));
    const err = await DurableStorage.open(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err instanceof RaftError && err.code === RaftErrorCode.Corrupt, 'missing snapshot file: corrupt');
  }
  {
    const dir = await tempDir(t);
    const ds = await DurableStorage.open(dir);
    await ds.save({ hardState: { term: 1, vote: 1, commit: 10 }, entries: range(1, 10, 1) });
    await ds.saveSnapshotAndCompact(ds.storage.createSnapshot(5, conf, new Uint8Array([5])));
    await ds.saveSnapshotAndCompact(ds.storage.createSnapshot(8, conf, new Uint8Array([8])));
    await ds.close();
    const newest = join(dir, 'snap', snapshotFileName(8, 1));
    const b = await readFile(newest);
    b[b.length - 1] = b[b.length - 1]! ^ 0xff;
    await writeFile(newest, b);
    const err = await DurableStorage.open(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err instanceof RaftError && err.code === RaftErrorCode.Corrupt, 'damaged newest snapshot: corrupt');
    t.match((err as Error).message, newest, 'the message names the damaged file');
  }
});
