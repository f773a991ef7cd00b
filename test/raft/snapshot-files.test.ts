import t from 'tap';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RaftError, RaftErrorCode } from '../../raft/core/errors.js';
import type { Snapshot } from '../../raft/core/types.js';
import { encodeSnapshot, loadNewest, saveSnapshot, snapshotFileName } from '../../raft/storage/snapshot-files.js';

const snap = (index: number, term: number, size = 100): Snapshot => ({
  meta: { index, term, conf: { voters: [1, 2, 3], learners: [7] } },
  data: Uint8Array.from({ length: size }, (_, k) => (index + k) & 0xff),
});

async function tempDir(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-snap-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function flipByte(file: string, at: number): Promise<void> {
  const b = await readFile(file);
  b[at] = b[at]! ^ 0x01;
  await writeFile(file, b);
}

t.test('snapshot files - a saved snapshot loads back exactly', async (t) => {
  const dir = await tempDir(t);
  t.equal(await loadNewest(join(dir, 'missing')), undefined, 'no directory: no snapshot');
  t.equal(await loadNewest(dir), undefined, 'empty directory: no snapshot');
  const s = snap(10, 2, 5000);
  await saveSnapshot(dir, s);
  const loaded = await loadNewest(dir);
  t.same(loaded?.snapshot, s);
  t.same(loaded?.warnings, []);
  t.same(await readdir(dir), [snapshotFileName(10, 2)], 'no temp file is left behind');
  const empty: Snapshot = { meta: { index: 11, term: 2, conf: { voters: [], learners: [] } }, data: new Uint8Array(0) };
  await saveSnapshot(dir, empty);
  t.same((await loadNewest(dir))?.snapshot, empty, 'an empty snapshot round-trips');
});

t.test('snapshot files - only the newest two are kept', async (t) => {
  const dir = await tempDir(t);
  for (const i of [5, 9, 12, 20]) await saveSnapshot(dir, snap(i, 1));
  t.same((await readdir(dir)).sort(), [snapshotFileName(12, 1), snapshotFileName(20, 1)]);
  await saveSnapshot(dir, snap(30, 2), { keep: 1 });
  t.same(await readdir(dir), [snapshotFileName(30, 2)]);
});

t.test('snapshot files - an older snapshot than the newest file is refused', async (t) => {
  const dir = await tempDir(t);
  await saveSnapshot(dir, snap(20, 1));
  await t.rejects(saveSnapshot(dir, snap(10, 1)), { code: RaftErrorCode.SnapshotOutOfDate });
});

t.test('snapshot files - a crash before the rename leaves the previous snapshot in force', async (t) => {
  const dir = await tempDir(t);
  await saveSnapshot(dir, snap(10, 1));
  // What a crash between writing the temp file and renaming it leaves behind (cut short too).
  const partial = encodeSnapshot(snap(20, 1)).subarray(0, 50);
  await writeFile(join(dir, snapshotFileName(20, 1) + '.tmp'), partial);
  const loaded = await loadNewest(dir);
  t.equal(loaded?.snapshot.meta.index, 10);
  t.same(loaded?.warnings, []);
  await saveSnapshot(dir, snap(30, 1));
  t.same((await readdir(dir)).sort(), [snapshotFileName(10, 1), snapshotFileName(30, 1)], 'the next save clears the temp file');
});

t.test('snapshot files - a damaged newest file falls back to the previous one with a warning', async (t) => {
  const dir = await tempDir(t);
  await saveSnapshot(dir, snap(10, 1));
  await saveSnapshot(dir, snap(20, 1));
  const newest = join(dir, snapshotFileName(20, 1));
  const before = await readFile(newest);
  await flipByte(newest, 60);
  const damaged = await readFile(newest);
  const loaded = await loadNewest(dir);
  t.equal(loaded?.snapshot.meta.index, 10);
  t.equal(loaded?.warnings.length, 1);
  t.match(loaded?.warnings[0], newest, 'the warning names the damaged file');
  t.same(await readFile(newest), damaged, 'loading changes nothing');
  t.notOk(before.equals(damaged), 'the file really was damaged');
});

t.test('snapshot files - a file whose content disagrees with its name is skipped', async (t) => {
  const dir = await tempDir(t);
  await saveSnapshot(dir, snap(10, 1));
  await writeFile(join(dir, snapshotFileName(40, 1)), encodeSnapshot(snap(30, 1)));
  const loaded = await loadNewest(dir);
  t.equal(loaded?.snapshot.meta.index, 10);
  t.match(loaded?.warnings[0], /not what its name says/);
});

t.test('snapshot files - when every file is damaged loading throws corrupt', async (t) => {
  const dir = await tempDir(t);
  await saveSnapshot(dir, snap(10, 1));
  await saveSnapshot(dir, snap(20, 1));
  await flipByte(join(dir, snapshotFileName(10, 1)), 0);
  await writeFile(join(dir, snapshotFileName(20, 1)), Buffer.alloc(0));
  const err = await loadNewest(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof RaftError);
  t.equal((err as RaftError).code, RaftErrorCode.Corrupt);
  t.match((err as RaftError).message, snapshotFileName(10, 1));
  t.match((err as RaftError).message, snapshotFileName(20, 1));
});
