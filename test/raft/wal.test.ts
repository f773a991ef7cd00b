import t from 'tap';
import { copyFile, mkdtemp, readFile, readdir, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RaftBug, RaftError, RaftErrorCode } from '../../raft/core/errors.js';
import type { Entry, HardState } from '../../raft/core/types.js';
import { EntryType } from '../../raft/core/types.js';
import { Wal } from '../../raft/storage/wal.js';
import type { WalReplay } from '../../raft/storage/wal.js';
import { HARD_STATE_RECORD_BYTES, entryRecordBytes } from '../../raft/storage/wal-record.js';

type Test = Pick<typeof t, 'teardown'>;

const ent = (index: number, term: number, size = 12): Entry => ({
  index,
  term,
  type: index % 5 === 0 ? EntryType.ConfChange : EntryType.Normal,
  data: Uint8Array.from({ length: size }, (_, k) => (index * 31 + term * 7 + k) & 0xff),
});
const hs = (term: number, commit: number, vote = 1): HardState => ({ term, vote, commit });

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-wal-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.wal')).sort();
}

async function dirBytes(dir: string): Promise<Map<string, Buffer>> {
  const m = new Map<string, Buffer>();
  for (const f of (await readdir(dir)).sort()) m.set(f, await readFile(join(dir, f)));
  return m;
}

async function copyDir(from: string, to: string): Promise<void> {
  for (const f of await readdir(from)) await copyFile(join(from, f), join(to, f));
}

/** The log as replay must rebuild it: a record for index i replaces i and everything after. */
class Model {
  hardState: HardState = hs(0, 0, 0);
  snapshotIndex = 0;
  snapshotTerm = 0;
  log: Entry[] = [];
  save(h: HardState | undefined, es: Entry[]): void {
    if (h !== undefined) this.hardState = h;
    for (const e of es) {
      this.log = this.log.filter((x) => x.index < e.index);
      this.log.push(e);
    }
  }
  mark(index: number, term: number): void {
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.log = this.log.filter((x) => x.index > index);
  }
  replay(): WalReplay {
    return { hardState: this.hardState, entries: this.log, snapshotIndex: this.snapshotIndex, snapshotTerm: this.snapshotTerm };
  }
  last(): number {
    return this.log[this.log.length - 1]?.index ?? this.snapshotIndex;
  }
}

/** A readable summary, so one assertion shows a whole replay. */
const show = (r: WalReplay): string =>
  `hs=${r.hardState.term}/${r.hardState.vote}/${r.hardState.commit} snap=${r.snapshotIndex}/${r.snapshotTerm} ` +
  r.entries.map((e) => `${e.index}/${e.term}/${e.type}:${Buffer.from(e.data).toString('hex')}`).join(' ');

t.test('wal - reopen replays hard states and entries, overwritten suffixes included, across segments', async (t) => {
  const dir = await tempDir(t);
  const model = new Model();
  let { wal, replay } = await Wal.open(dir, { segmentBytes: 300 });
  t.equal(show(replay), show(model.replay()), 'a new WAL is empty');
  let term = 1;
  for (let i = 0; i < 60; i++) {
    let first = model.last() + 1;
    if (i % 13 === 12) {
      term++;
      first = Math.max(1, first - 4); // a new leader overwrites a suffix
    }
    const es = [ent(first, term), ent(first + 1, term, i)];
    const h = i % 3 === 0 ? undefined : hs(term, first - 1);
    await wal.save(h, es);
    model.save(h, es);
  }
  await wal.save(hs(term + 1, model.last(), 2), []);
  model.save(hs(term + 1, model.last(), 2), []);
  await wal.close();
  t.ok((await segmentFiles(dir)).length > 5, 'the WAL rotated through several segments');

  ({ wal, replay } = await Wal.open(dir, { segmentBytes: 300 }));
  t.equal(show(replay), show(model.replay()));
  t.same(replay.entries, model.log, 'entries are equal field by field');

  // Still writable, and a second reopen sees both generations.
  const es = [ent(model.last() - 1, term + 1), ent(model.last(), term + 1)];
  await wal.save(undefined, es);
  model.save(undefined, es);
  await wal.close();
  ({ wal, replay } = await Wal.open(dir, { segmentBytes: 300 }));
  t.equal(show(replay), show(model.replay()));
  await wal.close();
});

t.test('wal - a crash at every byte of the last save recovers to the last whole record', async (t) => {
  const src = await tempDir(t);
  const model = new Model();
  const { wal } = await Wal.open(src, { segmentBytes: 400 });
  for (let i = 1; i <= 20; i++) {
    await wal.save(hs(1, i - 1), [ent(i, 1)]);
    model.save(hs(1, i - 1), [ent(i, 1)]);
  }
  const segs = await segmentFiles(src);
  t.ok(segs.length > 1, 'several segments');
  const lastFile = segs[segs.length - 1]!;
  const start = (await readFile(join(src, lastFile))).length;
  // The last save writes three records: hard state, entry 21, entry 22.
  const lastSave = { h: hs(2, 20), es: [ent(21, 2, 40), ent(22, 2, 3)] };
  await wal.save(lastSave.h, lastSave.es);
  await wal.close();
  const full = await readFile(join(src, lastFile));
  const bounds = [start + HARD_STATE_RECORD_BYTES];
  bounds.push(bounds[0]! + entryRecordBytes(lastSave.es[0]!));
  bounds.push(bounds[1]! + entryRecordBytes(lastSave.es[1]!));
  t.equal(full.length, bounds[2], 'record sizes as documented');

  /** What replay must give after losing everything past `len`, and the file size it leaves. */
  const expectAt = (len: number): { model: Model; size: number } => {
    const m = new Model();
    m.save(model.hardState, model.log);
    let size = start;
    if (len >= bounds[0]!) {
      m.save(lastSave.h, []);
      size = bounds[0]!;
    }
    if (len >= bounds[1]!) {
      m.save(undefined, [lastSave.es[0]!]);
      size = bounds[1]!;
    }
    return { model: m, size };
  };

  const check = async (mutate: (file: string) => Promise<void>, expected: { model: Model; size: number }, what: string) => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-wal-case-'));
    try {
      await copyDir(src, dir);
      await mutate(join(dir, lastFile));
      let { wal, replay } = await Wal.open(dir, { segmentBytes: 400 });
      const recovered = show(replay);
      const size = (await readFile(join(dir, lastFile))).length;
      // Writable afterwards, and a reopen sees the recovered log plus the new save.
      const next = ent(expected.model.last() + 1, 3);
      await wal.save(hs(3, 0), [next]);
      await wal.close();
      ({ wal, replay } = await Wal.open(dir, { segmentBytes: 400 }));
      await wal.close();
      const reopened = show(replay);
      const want = { recovered: show(expected.model.replay()), size: expected.size, reopened: '' };
      expected.model.save(hs(3, 0), [next]);
      want.reopened = show(expected.model.replay());
      const got = { recovered, size, reopened };
      return { what, ok: JSON.stringify(got) === JSON.stringify(want), got, want };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  const failures: unknown[] = [];
  let cases = 0;
  for (let len = start; len < full.length; len++) {
    const r = await check((f) => truncate(f, len), expectAt(len), `truncated to ${len}`);
    cases++;
    if (!r.ok) failures.push(r);
  }
  // Damage anywhere in the last record (entry 22) also reads as a torn write.
  for (let off = bounds[1]!; off < bounds[2]!; off++) {
    const r = await check(
      async (f) => {
        const b = Buffer.from(full);
        b[off] = b[off]! ^ 0xff;
        await writeFile(f, b);
      },
      expectAt(bounds[1]!),
      `byte ${off} flipped`,
    );
    cases++;
    if (!r.ok) failures.push(r);
  }
  t.same(failures, [], `${cases} crash cases recover, stay writable and reopen cleanly`);
});

t.test('wal - a segment cut inside its header gets the header back', async (t) => {
  for (const cut of [0, 5, 30]) {
    const dir = await tempDir(t);
    let { wal } = await Wal.open(dir, { segmentBytes: 150 });
    const model = new Model();
    for (let i = 1; i <= 12; i++) {
      if (i === 6) {
        await wal.markSnapshot(4, 1);
        model.mark(4, 1);
      }
      await wal.save(hs(1, i - 1), [ent(i, 1)]);
      model.save(hs(1, i - 1), [ent(i, 1)]);
    }
    // Force a rotation with a last save, then lose all but `cut` bytes of the new segment.
    await wal.save(hs(2, 12), []);
    await wal.close();
    const segs = await segmentFiles(dir);
    const lastFile = join(dir, segs[segs.length - 1]!);
    t.ok((await readFile(lastFile)).length > 30, 'the newest segment starts with marker and hard state');
    await truncate(lastFile, cut);

    let replay: WalReplay;
    ({ wal, replay } = await Wal.open(dir, { segmentBytes: 150 }));
    t.equal(show(replay), show(model.replay()), `cut at ${cut}: replay ends at the previous segment`);
    // Releasing every older segment must not lose the hard state or the marker.
    await wal.markSnapshot(12, 1);
    model.mark(12, 1);
    await wal.releaseUpTo(12);
    t.equal((await segmentFiles(dir)).length, 1, 'only the cut segment is left');
    await wal.close();
    ({ wal, replay } = await Wal.open(dir, { segmentBytes: 150 }));
    t.equal(show(replay), show(model.replay()), `cut at ${cut}: replay after release`);
    await wal.close();
  }
});

t.test('wal - damage followed by valid records is refused and nothing on disk changes', async (t) => {
  const build = async (dir: string): Promise<string[]> => {
    const { wal } = await Wal.open(dir, { segmentBytes: 250 });
    for (let i = 1; i <= 30; i++) await wal.save(hs(1, i - 1), [ent(i, 1)]);
    await wal.close();
    return segmentFiles(dir);
  };
  const expectCorrupt = async (dir: string, file: string, what: string) => {
    const before = await dirBytes(dir);
    const err = await Wal.open(dir, { segmentBytes: 250 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err instanceof RaftError, `${what}: a RaftError`);
    t.equal((err as RaftError).code, RaftErrorCode.Corrupt, `${what}: code corrupt`);
    t.match((err as RaftError).message, file, `${what}: the message names the file`);
    t.same(await dirBytes(dir), before, `${what}: no file was changed`);
    return (err as RaftError).message;
  };

  {
    // A flipped byte early in the newest segment, with valid records behind it.
    const dir = await tempDir(t);
    const segs = await build(dir);
    const file = join(dir, segs[segs.length - 1]!);
    const b = await readFile(file);
    b[50] = b[50]! ^ 0x01;
    await writeFile(file, b);
    const msg = await expectCorrupt(dir, file, 'middle of the last segment');
    t.match(msg, /byte \d+/, 'the message names the offset');
  }
  {
    // The tail of an older segment is torn: that can only be damage, since it was synced.
    const dir = await tempDir(t);
    const segs = await build(dir);
    const file = join(dir, segs[1]!);
    const b = await readFile(file);
    await truncate(file, b.length - 3);
    await expectCorrupt(dir, file, 'torn older segment');
  }
  {
    // A flipped byte in the last record of an older segment.
    const dir = await tempDir(t);
    const segs = await build(dir);
    const file = join(dir, segs[0]!);
    const b = await readFile(file);
    b[b.length - 1] = b[b.length - 1]! ^ 0x80;
    await writeFile(file, b);
    await expectCorrupt(dir, file, 'damaged older segment');
  }
  {
    // A segment in the middle is gone.
    const dir = await tempDir(t);
    const segs = await build(dir);
    await unlink(join(dir, segs[1]!));
    await expectCorrupt(dir, segs[2]!, 'missing segment');
  }
});

t.test('wal - concurrent saves share fsyncs (group commit)', async (t) => {
  const dir = await tempDir(t);
  const { wal } = await Wal.open(dir);
  const before = wal.fsyncCount;
  const done: number[] = [];
  await Promise.all(
    Array.from({ length: 100 }, (_, k) => wal.save(hs(1, k), [ent(k + 1, 1)]).then(() => done.push(k))),
  );
  const used = wal.fsyncCount - before;
  t.ok(used >= 1 && used <= 5, `100 saves used ${used} fsyncs`);
  t.same(done, Array.from({ length: 100 }, (_, k) => k), 'saves resolve in call order');
  await wal.close();
  const r = await Wal.open(dir);
  t.same(r.replay.entries.map((e) => e.index), Array.from({ length: 100 }, (_, k) => k + 1));
  t.same(r.replay.hardState, hs(1, 99));
  await r.wal.close();
});

t.test('wal - sequential saves each wait for their own fsync', async (t) => {
  const dir = await tempDir(t);
  const { wal } = await Wal.open(dir);
  const before = wal.fsyncCount;
  for (let i = 1; i <= 10; i++) await wal.save(undefined, [ent(i, 1)]);
  t.equal(wal.fsyncCount - before, 10);
  await wal.close();
});

t.test('wal - release after markSnapshot removes old segments and replay still works', async (t) => {
  const dir = await tempDir(t);
  const model = new Model();
  let { wal, replay } = await Wal.open(dir, { segmentBytes: 200 });
  for (let i = 1; i <= 60; i++) {
    await wal.save(hs(1, i - 1), [ent(i, 1)]);
    model.save(hs(1, i - 1), [ent(i, 1)]);
  }
  t.equal(await wal.releaseUpTo(50), 0, 'nothing is released before a marker');
  const segsBefore = await segmentFiles(dir);

  await wal.markSnapshot(40, 1);
  model.mark(40, 1);
  const released = await wal.releaseUpTo(1000); // capped at the marker: entries after 40 stay
  t.ok(released > 0, `released ${released} segments`);
  t.equal(await wal.releaseUpTo(40), 0, 'a second release finds nothing more');
  const segsAfter = await segmentFiles(dir);
  t.same(segsAfter.slice(0, segsBefore.length - released), segsBefore.slice(released), 'exactly the oldest segments are gone');
  await wal.close();

  ({ wal, replay } = await Wal.open(dir, { segmentBytes: 200 }));
  t.equal(show(replay), show(model.replay()));
  t.equal(replay.entries[0]?.index, 41, 'the log starts after the snapshot');

  // Everything up to the newest entries can go once a later snapshot covers it; never the active one.
  await wal.markSnapshot(60, 1);
  model.mark(60, 1);
  await wal.releaseUpTo(60);
  t.equal((await segmentFiles(dir)).length, 1, 'only the active segment is left');
  await wal.save(hs(2, 60), [ent(61, 2)]);
  model.save(hs(2, 60), [ent(61, 2)]);
  await wal.close();
  ({ wal, replay } = await Wal.open(dir, { segmentBytes: 200 }));
  t.equal(show(replay), show(model.replay()));
  await wal.close();
});

t.test('wal - a snapshot marker past the log starts the log after it', async (t) => {
  const dir = await tempDir(t);
  let { wal, replay } = await Wal.open(dir);
  await wal.save(hs(1, 2), [ent(1, 1), ent(2, 1), ent(3, 1)]);
  await wal.markSnapshot(100, 3);
  await wal.save(hs(3, 100), [ent(101, 3), ent(102, 3)]);
  await wal.close();
  ({ wal, replay } = await Wal.open(dir));
  t.equal(replay.snapshotIndex, 100);
  t.equal(replay.snapshotTerm, 3);
  t.same(replay.entries.map((e) => e.index), [101, 102]);
  await wal.close();
});

t.test('wal - entries that leave a gap or precede the snapshot are refused', async (t) => {
  const dir = await tempDir(t);
  const { wal } = await Wal.open(dir);
  await wal.save(undefined, [ent(1, 1), ent(2, 1)]);
  await t.rejects(wal.save(undefined, [ent(4, 1)]), RaftBug, 'a gap');
  await t.rejects(wal.save(undefined, [ent(3, 1), ent(5, 1)]), RaftBug, 'not contiguous');
  await wal.markSnapshot(2, 1);
  await t.rejects(wal.save(undefined, [ent(2, 1)]), RaftBug, 'at the snapshot');
  await wal.save(undefined, [ent(3, 1)]);
  await wal.close();
  await t.rejects(wal.save(undefined, [ent(4, 1)]), /closed/, 'closed');
});

t.test('wal - bad options are refused', async (t) => {
  const dir = await tempDir(t);
  await t.rejects(Wal.open(dir, { segmentBytes: 0 }), RangeError);
});

t.test('wal - after a failed write every later call is refused', async (t) => {
  const dir = await tempDir(t);
  const { wal } = await Wal.open(dir);
  await wal.save(undefined, [ent(1, 1)]);
  // Pull the file out from under the WAL (white box): the next write fails with EBADF.
  await (wal as unknown as { fh: { close(): Promise<void> } }).fh.close();
  const [a, b] = await Promise.allSettled([wal.save(undefined, [ent(2, 1)]), wal.save(undefined, [ent(3, 1)])]);
  t.equal(a.status, 'rejected', 'the failing batch is rejected');
  t.equal(b.status, 'rejected', 'and so is everything queued with it');
  await t.rejects(wal.save(undefined, [ent(4, 1)]), /earlier write or fsync failed/);
  await t.rejects(wal.markSnapshot(1, 1), /earlier write or fsync failed/);
  await wal.close();
  const r = await Wal.open(dir);
  t.same(r.replay.entries.map((e) => e.index), [1], 'reopening recovers what was durable');
  await r.wal.close();
});
