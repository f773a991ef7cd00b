// Helpers for validateUpdate: compare the new object with the stored one.
import type { FieldError } from '../kind.js';
import { formatPath } from '../field-path.js';
import type { Path } from './kit.js';
import { showValue } from './show-value.js';

/** Deep equality of JSON values (key order ignored; undefined properties count as absent). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ak = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** `field: Invalid value: ...: field is immutable` when the value changed. */
export function immutable(next: unknown, old: unknown, path: Path, errors: FieldError[]): void {
  if (!jsonEqual(next, old)) errors.push({ field: formatPath(path), type: 'FieldValueInvalid', detail: `Invalid value: ${showValue(next ?? null)}: field is immutable` });
}

export const forbiddenUpdate = (path: Path, why: string): FieldError => ({ field: formatPath(path), type: 'FieldValueForbidden', detail: `Forbidden: ${why}` });
