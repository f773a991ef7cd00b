// Helpers for MVCC tests: text <-> bytes, unwrapping Results, readable key-values.
import type { Result } from '../../../control-plane/store/mvcc/index.js';
import type { Event, KeyValue } from '../../../control-plane/store/mvcc/index.js';

const te = new TextEncoder();
const td = new TextDecoder();

export const b = (s: string): Uint8Array => te.encode(s);
export const str = (u: Uint8Array): string => td.decode(u);

/** The value of an ok Result; throws with the error's message otherwise. */
export function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`unexpected ${r.error.name}: ${r.error.message}`);
  return r.value;
}

/** The error of a failed Result; throws if it succeeded. */
export function errorOf<T>(r: Result<T>): { name: string; message: string; grpcCode: number; code: string } {
  if (r.ok) throw new Error('expected an error, got ok');
  return { name: r.error.name, message: r.error.message, grpcCode: r.error.grpcCode, code: r.error.code };
}

/** "key=value@create/mod/vVersion[ lease L]" — compact, readable, exact. */
export function kvText(kv: KeyValue | undefined): string {
  if (kv === undefined) return '-';
  if (kv.createRevision === 0) return `${str(kv.key)} deleted@${kv.modRevision}`;
  return `${str(kv.key)}=${str(kv.value)}@${kv.createRevision}/${kv.modRevision}/v${kv.version}${kv.lease !== 0 ? ` lease ${kv.lease}` : ''}`;
}

export function eventText(e: Event): string {
  return `${e.type === 0 ? 'PUT' : 'DELETE'} ${kvText(e.kv)} prev ${kvText(e.prevKv)}`;
}
