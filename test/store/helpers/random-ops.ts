// Seeded random MVCC commands for property and differential tests.
import { CompareResult, CompareTarget, prefixEnd } from '../../../control-plane/store/mvcc/index.js';
import type { Command, Compare, MvccStore, RangeRequest, RequestOp, TxnRequest } from '../../../control-plane/store/mvcc/index.js';
import { seededRng as prng } from '../../support/random.js';
export { prng };

const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

export interface GeneratorOptions {
  /** Lowest lease TTL granted (a differential test against etcd needs leases that outlive it). */
  readonly minTtl?: number;
  /** Emit lease checkpoints (not reachable through etcd's client API). */
  readonly checkpoints?: boolean;
}


const latin1 = (u: Uint8Array): string => Buffer.from(u).toString('latin1');

/** The whole key space: key "\0", range_end "\0". */
export const ALL = { key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) };

/** Deterministic text of any result (bytes as latin1, errors by code). */
export function show(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => {
    if (v instanceof Uint8Array) return `b:${latin1(v)}`;
    if (v instanceof Error) return `error:${(v as Error & { code?: string }).code ?? v.name}`;
    if (v === undefined) return null;
    return v;
  });
}

export class Generator {
  constructor(
    private readonly rnd: () => number,
    private readonly opts: GeneratorOptions = {},
  ) {}
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
    if (k < 9) return { type: 'range', range: this.range(rev) };
    return { type: 'txn', txn: this.txn(depth + 1, rev) };
  }
  /** A read with random options, sometimes at a past (or future) revision. */
  range(rev: number): RangeRequest {
    const key = this.key();
    return {
      key,
      rangeEnd: this.rangeEnd(key),
      revision: this.chance(0.3) ? this.int(rev + 2) : 0,
      limit: this.int(3),
      ...(this.chance(0.2) ? { sortOrder: this.pick([0, 1, 2] as const), sortTarget: this.pick([0, 1, 2, 3, 4] as const) } : {}),
      ...(this.chance(0.1) ? { keysOnly: true } : {}),
      ...(this.chance(0.1) ? { countOnly: true } : {}),
      ...(this.chance(0.1) ? { minModRevision: this.int(rev + 1), maxCreateRevision: this.int(rev + 1) } : {}),
    };
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
    if (k < 82) return { type: 'leaseGrant', id: 1 + this.int(5), ttl: (this.opts.minTtl ?? 1) + this.int(100) };
    if (k < 87) return { type: 'leaseRevoke', id: 1 + this.int(5) };
    if (k < 90 && this.opts.checkpoints !== false) return { type: 'leaseCheckpoint', checkpoints: [{ id: 1 + this.int(5), remainingTtl: this.int(50) }] };
    if (k < 90) return { type: 'put', put: { key: this.key(), value: this.value() } };
    // Compactions, sometimes invalid (at or below the last one, or in the future).
    const c = store.compactRevision;
    return { type: 'compact', revision: this.chance(0.8) ? c + 1 + this.int(Math.max(1, Math.floor((rev - c) / 2))) : this.int(rev + 3) };
  }
}

