// Helpers for the api tests: validate a fixture with a change, read errors as text lines.
import { formatFieldError, kindFor } from '../../api/index.js';
import type { ShoalKind } from '../../api/index.js';
import { FIXTURES } from './fixtures.js';

export function kindOf(kind: string): ShoalKind {
  const k = kindFor(kind);
  if (!k) throw new Error(`no kind ${kind}`);
  return k;
}

/** A deep copy of the kind's fixture, changed by `edit`. */
export function fixture(kind: string, edit?: (o: any) => void): Record<string, unknown> {
  const o = structuredClone(FIXTURES[kind]);
  if (!o) throw new Error(`no fixture for ${kind}`);
  edit?.(o);
  return o;
}

/** Every error of validating `input` as `kind`, as `field: detail` lines ([] when valid). */
export function errorsOf(kind: string, input: unknown): string[] {
  const r = kindOf(kind).validate(input);
  return r.ok ? [] : r.errors.map(formatFieldError);
}

/** The defaulted object, loosely typed for reading in tests (throws with the errors when invalid). */
export function valid(kind: string, input: unknown): any {
  const r = kindOf(kind).validate(input);
  if (!r.ok) throw new Error(`expected valid ${kind}: ${r.errors.map(formatFieldError).join('; ')}`);
  return r.object;
}

/** Errors are reported in the order they are found; tests compare them as sets. */
export const sorted = (lines: readonly string[]): string[] => [...lines].sort();
