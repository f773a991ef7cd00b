// The stored allocation state of one range (pure): Kubernetes' RangeAllocation, one object per
// range at /registry/ranges/serviceips and /registry/ranges/servicenodeports, holding the range
// text and the bitmap of taken offsets. Changes are transactions applied to a copy of the bitmap:
// all of a transaction's offsets are taken, or none.
import { AllocationBitmap } from './allocation-bitmap.js';

export const RANGE_KEYS = { serviceIPs: '/registry/ranges/serviceips', nodePorts: '/registry/ranges/servicenodeports' } as const;

export interface RangeAllocationObject {
  readonly apiVersion: 'v1';
  readonly kind: 'RangeAllocation';
  /** annotations[WRITER_ANNOTATION]: who wrote this version (see rangeAllocationObject). */
  readonly metadata: { readonly name: string; readonly annotations?: Readonly<Record<string, string>> };
  /** The range the bitmap is for ("10.96.0.0/12", "30000-32767"). */
  readonly range: string;
  /** AllocationBitmap.encode(). */
  readonly data: string;
}

export const WRITER_ANNOTATION = 'shoal.io/written-by';

/**
 * writer: unique per write ("<allocator id>/<sequence>"). Two servers often compute the same
 * bitmap (both take the lowest free offset); the store client counts a retried update that finds
 * its own bytes as its success, so equal bytes from two writers must never happen.
 */
export function rangeAllocationObject(name: string, range: string, bitmap: AllocationBitmap, writer?: string): RangeAllocationObject {
  return { apiVersion: 'v1', kind: 'RangeAllocation', metadata: writer === undefined ? { name } : { name, annotations: { [WRITER_ANNOTATION]: writer } }, range, data: bitmap.encode() };
}

export function decodeRangeAllocation(bytes: Uint8Array): RangeAllocationObject {
  const o = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<RangeAllocationObject>;
  if (o.kind !== 'RangeAllocation' || typeof o.range !== 'string' || typeof o.data !== 'string') throw new Error('the stored value is not a RangeAllocation');
  return o as RangeAllocationObject;
}

export const encodeRangeAllocation = (o: RangeAllocationObject): Uint8Array => Buffer.from(JSON.stringify(o));

/** One wish of a transaction: any free offset (never one of `reserved`), a given offset, or a release. */
export type Want = { readonly type: 'any' } | { readonly type: 'offset'; readonly offset: number } | { readonly type: 'release'; readonly offset: number };

export type TxnResult =
  | { readonly ok: true; readonly offsets: readonly number[] }
  /** index: the wish that could not be met; taken = that offset is someone else's, full = nothing free. */
  | { readonly ok: false; readonly index: number; readonly reason: 'taken' | 'full' };

/**
 * Applies wants to bitmap (changed in place only on success). `offsets` has one entry per want:
 * the offset taken or released. `reserved` offsets are skipped by 'any'.
 */
export function applyTxn(bitmap: AllocationBitmap, wants: readonly Want[], reserved: ReadonlySet<number>): TxnResult {
  const taken: number[] = [];
  const released: number[] = [];
  const offsets: number[] = [];
  const undo = (index: number, reason: 'taken' | 'full'): TxnResult => {
    for (const o of taken) bitmap.clear(o);
    for (const o of released) bitmap.set(o);
    return { ok: false, index, reason };
  };
  for (const [index, w] of wants.entries()) {
    switch (w.type) {
      case 'release':
        if (bitmap.clear(w.offset)) released.push(w.offset);
        offsets.push(w.offset);
        break;
      case 'offset':
        if (!bitmap.set(w.offset)) return undo(index, 'taken');
        taken.push(w.offset);
        offsets.push(w.offset);
        break;
      case 'any': {
        let o = bitmap.firstFree(0);
        while (o !== undefined && reserved.has(o)) o = bitmap.firstFree(o + 1);
        if (o === undefined) return undo(index, 'full');
        bitmap.set(o);
        taken.push(o);
        offsets.push(o);
        break;
      }
    }
  }
  return { ok: true, offsets };
}
