// Property tests: random command sequences from a seeded PRNG.
// - Determinism: two stores fed the same commands answer identically and end with identical
//   snapshots and hashes; a store restored from a snapshot midway goes on identically.
// - MVCC: a read at any kept past revision equals what a read at the head returned back then;
//   replaying the history from revision r onto the state at r-1 gives the current state.
import t from 'tap';
import { MvccStore } from '../../control-plane/store/mvcc/index.js';
import type { Event, Result } from '../../control-plane/store/mvcc/index.js';
import { kvText } from './helpers/mvcc.js';
import { ALL, Generator, prng, show } from './helpers/random-ops.js';

/** The whole key space at the head, as text. */
function headState(s: MvccStore): string[] {
  const r = s.range(ALL);
  if (!r.ok) throw r.error;
  return r.value.kvs.map(kvText);
}

function replay(state: string[], events: readonly Event[]): string[] {
  const m = new Map(state.map((line) => [line.slice(0, line.indexOf('=')), line]));
  for (const e of events) {
    const k = new TextDecoder().decode(e.kv.key);
    if (e.type === 1) m.delete(k);
    else m.set(k, kvText(e.kv));
  }
  return [...m.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).map((k) => m.get(k)!);
}

for (const seed of (process.env.MVCC_SEEDS ?? "1,2,3,20260101").split(",").map(Number)) {
  t.test(`mvcc property - seed ${seed}: deterministic, restorable, consistent history`, async (t) => {
    const gen = new Generator(prng(seed));
    const check = new Generator(prng(seed ^ 0x5eed));
    const a = new MvccStore();
    const b = new MvccStore();
    let c: MvccStore | undefined;
    const states = new Map<number, string[]>([[1, []]]);
    const steps = 1500;
    let refused = 0;
    for (let i = 0; i < steps; i++) {
      const cmd = gen.command(a);
      const ra: Result<unknown> = a.apply(cmd);
      const rb: Result<unknown> = b.apply(cmd);
      if (!ra.ok) refused++;
      if (show(ra) !== show(rb)) {
        t.fail(`step ${i}: stores disagree on ${show(cmd)}`);
        return;
      }
      if (c !== undefined) {
        const rc: Result<unknown> = c.apply(cmd);
        if (show(rc) !== show(ra)) {
          t.fail(`step ${i}: restored store disagrees on ${show(cmd)}`);
          return;
        }
      }
      if (i === Math.floor(steps / 2)) {
        c = new MvccStore();
        c.restore(a.snapshot());
      }
      states.set(a.revision, headState(a));

      // A read at a random kept revision equals the head read recorded back then.
      const low = Math.max(1, a.compactRevision);
      const r = low + check.int(a.revision - low + 1);
      const past = a.range({ ...ALL, revision: r });
      if (!past.ok || show(past.value.kvs.map(kvText)) !== show(states.get(r))) {
        t.fail(`step ${i}: read at revision ${r} differs from the state recorded then`);
        return;
      }
      // Replaying history from r+1 onto the state at r gives the head state.
      if (r < a.revision) {
        const h = a.eventsFrom(r + 1, ALL.key, ALL.rangeEnd);
        if (h.type !== 'events' || show(replay(states.get(r)!, h.events)) !== show(headState(a))) {
          t.fail(`step ${i}: history from ${r + 1} does not replay to the head state`);
          return;
        }
      }
    }
    t.ok(a.revision > 200, `revisions advanced (${a.revision})`);
    t.ok(a.compactRevision > 1, `compactions happened (${a.compactRevision})`);
    t.ok(refused > 0 && refused < steps / 2, `some commands were refused (${refused})`);
    const snapA = a.snapshot();
    t.same(b.snapshot(), snapA, 'identical snapshots');
    t.same(c!.snapshot(), snapA, 'the store restored midway ends identical');
    const ha = a.hash();
    t.same([b.hash(), c!.hash()].map(show), [show(ha), show(ha)], 'identical hashes');
    const d = new MvccStore();
    d.restore(snapA);
    t.same(show(d.eventsFrom(a.compactRevision, ALL.key, ALL.rangeEnd)), show(a.eventsFrom(a.compactRevision, ALL.key, ALL.rangeEnd)), 'history survives restore');
  });
}
