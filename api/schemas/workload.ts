// Pieces shared by workload kinds: rolling-update amounts (count or percentage), workload
// conditions, and the "selector is immutable" update rule.
import { z } from 'zod';
import type { FieldError } from '../kind.js';
import { intOrString, invalid, type Path, type Reporter } from './kit.js';
import { immutable } from './update-rules.js';

/** maxSurge / maxUnavailable: a non-negative integer or a percentage like "25%". */
export const intOrPercent = intOrString;

/** Checks an IntOrPercent; percentages over 100% are refused when `max100`. */
export function checkIntOrPercent(ctx: Reporter, path: Path, v: number | string, max100: boolean): void {
  if (typeof v === 'number') {
    if (v < 0) invalid(ctx, path, v, 'must be greater than or equal to 0');
    return;
  }
  const m = /^(\d+)%$/.exec(v);
  if (!m) invalid(ctx, path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
  else if (max100 && Number(m[1]) > 100) invalid(ctx, path, v, 'must not be greater than 100%');
}

/** Whether an IntOrPercent is zero (0 or "0%"). */
export const isZero = (v: number | string): boolean => v === 0 || v === '0%';

/** The value of an IntOrPercent against a total (percent rounded up when `roundUp`). */
export function scaledValue(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const pct = Number(v.replace('%', ''));
  const raw = (pct * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

export function selectorImmutable<T extends { spec: { selector?: unknown } }>(next: T, old: T): FieldError[] {
  const errors: FieldError[] = [];
  immutable(next.spec.selector, old.spec.selector, ['spec', 'selector'], errors);
  return errors;
}

export type IntOrPercent = z.output<ReturnType<typeof intOrPercent>>;
