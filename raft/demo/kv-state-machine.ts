// The demo's replicated key-value map: the state machine a RaftNode applies entries to.
import type { Entry } from '../core/types.js';
import type { StateMachine } from '../node/raft-node.js';

export const KvOp = {
  Put: 1,
  Delete: 2,
} as const;
export type KvOp = (typeof KvOp)[keyof typeof KvOp];

export type KvCommand = { op: typeof KvOp.Put; key: string; value: Uint8Array } | { op: typeof KvOp.Delete; key: string };

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** [op u8][key length u32][key utf-8][value bytes] */
export function encodeCommand(c: KvCommand): Uint8Array {
  const key = enc.encode(c.key);
  const value = c.op === KvOp.Put ? c.value : new Uint8Array(0);
  const out = new Uint8Array(5 + key.byteLength + value.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, c.op);
  view.setUint32(1, key.byteLength);
  out.set(key, 5);
  out.set(value, 5 + key.byteLength);
  return out;
}

/** The command in `b`, or undefined if it is malformed (never throws: apply must not diverge). */
export function decodeCommand(b: Uint8Array): KvCommand | undefined {
  if (b.byteLength < 5) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const op = view.getUint8(0);
  const klen = view.getUint32(1);
  if (5 + klen > b.byteLength) return undefined;
  let key: string;
  try {
    key = dec.decode(b.subarray(5, 5 + klen));
  } catch {
    return undefined;
  }
  if (op === KvOp.Put) return { op, key, value: b.slice(5 + klen) };
  if (op === KvOp.Delete) return { op, key };
  return undefined;
}

/**
 * A map from string keys to byte values. Deterministic: a malformed command is skipped (and
 * counted) on every member alike, never thrown.
 */
export class KvStateMachine implements StateMachine {
  private data = new Map<string, Uint8Array>();
  /** Index of the last entry applied (0 before any). */
  lastApplied = 0;
  skipped = 0;

  apply(entries: Entry[]): void {
    for (const e of entries) {
      const c = decodeCommand(e.data);
      if (c === undefined) this.skipped++;
      else if (c.op === KvOp.Put) this.data.set(c.key, c.value);
      else this.data.delete(c.key);
      this.lastApplied = e.index;
    }
  }

  get(key: string): Uint8Array | undefined {
    return this.data.get(key);
  }

  get size(): number {
    return this.data.size;
  }

  entries(): IterableIterator<[string, Uint8Array]> {
    return this.data.entries();
  }

  /** [count u32] then per key, in sorted order: [key length u32][key][value length u32][value] */
  snapshot(): Uint8Array {
    const keys = [...this.data.keys()].sort();
    const parts: Uint8Array[] = [];
    let size = 4;
    for (const k of keys) {
      const kb = enc.encode(k);
      const v = this.data.get(k)!;
      parts.push(kb, v);
      size += 8 + kb.byteLength + v.byteLength;
    }
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    view.setUint32(0, keys.length);
    let off = 4;
    for (const p of parts) {
      view.setUint32(off, p.byteLength);
      out.set(p, off + 4);
      off += 4 + p.byteLength;
    }
    return out;
  }

  restore(snap: Uint8Array): void {
    const next = new Map<string, Uint8Array>();
    if (snap.byteLength > 0) {
      const view = new DataView(snap.buffer, snap.byteOffset, snap.byteLength);
      const n = view.getUint32(0);
      let off = 4;
      const take = (): Uint8Array => {
        const len = view.getUint32(off);
        const b = snap.slice(off + 4, off + 4 + len);
        if (b.byteLength !== len) throw new RangeError('kv snapshot is truncated');
        off += 4 + len;
        return b;
      };
      for (let i = 0; i < n; i++) {
        const k = dec.decode(take());
        next.set(k, take());
      }
    }
    this.data = next;
  }
}
