// Property tests: random command sequences from a seeded PRNG.
// - Determinism: two stores fed the same commands answer identically and end with identical
//   snapshots and hashes; a store restored from a snapshot midway goes on identically.
// - MVCC: a read at any kept past revision equals what a read at the head returned back then;
//   replaying the history from revision r onto the state at r-1 gives the current state.
import t from 'tap';
import { CompareResult, CompareTarget, MvccStore, prefixEnd } from '../../control-plane/store/mvcc/index.js';
import type { Command, Compare, Event, RequestOp, Result, TxnRequest } from '../../control-plane/store/mvcc/index.js';
import { kvText } from './helpers/mvcc.js';

/** mulberry32: small, fast, good enough for test inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const latin1 = (u: Uint8Array): string => Buffer.from(u).toString('latin1');
const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const ALL = { key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) };

/** Deterministic text of any result (bytes as latin1, errors by code). */
function show(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => {
    if (v instanceof Uint8Array) return `b:${latin1(v)}`;
    if (v instanceof Error) return `error:${(v as Error & { code?: string }).code ?? v.name}`;
    if (v === undefined) return null;
    return v;
  });
}

class Generator {
  constructor(private readonly rnd: () => number) {}
  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }
  key(): Uint8Array {
    // A small key space with shared prefixes and a 0xff byte, so ranges and prefixes overlap.
    return bytes(this.pick(['a', 'a/1', 'a/2', 'a/2/x', 'b', 'b/1', 'c', 'c\xff', 'c\xff\xff', 'd']));
  }
  value(): Uint8Array {
    return bytes(this.pick(['', 'x', 'y', 'zz', 'v'.repeat(this.int(40))]));
  }
  rangeEnd(key: Uint8Array): Uint8Array | undefined {
    switch (this.int(4)) {
      case 0:
        return undefined;
      case 1:
        return prefixEnd(key);
      case 2:
        return new Uint8Array([0]);
      default:
        return this.key();
    }
  }
  lease(): number {
    return this.chance(0.6) ? 0 : 1 + this.int(5);
  }
  compare(): Compare {
    const key = this.key();
    const target = this.pick([CompareTarget.VERSION, CompareTarget.CREATE, CompareTarget.MOD, CompareTarget.VALUE, CompareTarget.LEASE]);
    const result = this.pick([CompareResult.EQUAL, CompareResult.GREATER, CompareResult.LESS, CompareResult.NOT_EQUAL]);
    const n = this.int(12);
    const c: Compare = { key, target, result, ...(this.chance(0.2) ? { rangeEnd: prefixEnd(key) } : {}) };
    switch (target) {
      case CompareTarget.VERSION:
        return { ...c, version: this.int(4) };
      case CompareTarget.CREATE:
        return { ...c, createRevision: n };
      case CompareTarget.MOD:
        return { ...c, modRevision: n };
      case CompareTarget.VALUE:
        return { ...c, value: this.value() };
      case CompareTarget.LEASE:
        return { ...c, lease: this.lease() };
    }
  }
  op(depth: number, rev: number): RequestOp {
    const k = this.int(depth < 2 ? 10 : 9);
    if (k < 4) {
      return {
        type: 'put',
        put: {
          key: this.key(),
          ...(this.chance(0.1) ? { ignoreValue: true } : { value: this.value() }),
          lease: this.lease(),
          prevKv: this.chance(0.5),
        },
      };
    }
    if (k < 6) return { type: 'deleteRange', deleteRange: { key: this.key(), rangeEnd: this.rangeEnd(this.key()), prevKv: this.chance(0.5) } };
    if (k < 9) {
      const key = this.key();
      return { type: 'range', range: { key, rangeEnd: this.rangeEnd(key), revision: this.chance(0.3) ? this.int(rev + 2) : 0, limit: this.int(3) } };
    }
    return { type: 'txn', txn: this.txn(depth + 1, rev) };
  }
  txn(depth: number, rev: number): TxnRequest {
    const n = (): number => this.int(4);
    return {
      compare: Array.from({ length: n() }, () => this.compare()),
      success: Array.from({ length: n() }, () => this.op(depth, rev)),
      failure: Array.from({ length: n() }, () => this.op(depth, rev)),
    };
  }
  command(store: MvccStore): Command {
    const rev = store.revision;
    const k = this.int(100);
    if (k < 35) return { type: 'put', put: { key: this.key(), value: this.value(), lease: this.lease(), prevKv: this.chance(0.5) } };
    if (k < 50) {
      const key = this.key();
      return { type: 'deleteRange', deleteRange: { key, rangeEnd: this.rangeEnd(key), prevKv: this.chance(0.5) } };
    }
    if (k < 75) return { type: 'txn', txn: this.txn(0, rev) };
    if (k < 82) return { type: 'leaseGrant', id: 1 + this.int(5), ttl: 1 + this.int(100) };
    if (k < 87) return { type: 'leaseRevoke', id: 1 + this.int(5) };
    if (k < 90) return { type: 'leaseCheckpoint', checkpoints: [{ id: 1 + this.int(5), remainingTtl: this.int(50) }] };
    // Compactions, sometimes invalid (at or below the last one, or in the future).
    const c = store.compactRevision;
    return { type: 'compact', revision: this.chance(0.8) ? c + 1 + this.int(Math.max(1, Math.floor((rev - c) / 2))) : this.int(rev + 3) };
  }
}

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
