// Exponential backoff with jitter, as a pure schedule: the n-th delay depends only on the policy
// and one draw of the injected RNG.
import type { Rng } from './clock.js';

export interface BackoffPolicy {
  /** Delay before the first retry (ms). */
  readonly initialMs: number;
  /** Each delay is the previous one times this. */
  readonly factor: number;
  /** No delay is longer than this (ms). */
  readonly maxMs: number;
  /** Fraction of each delay that is random: 0 = none, 1 = "full jitter" (uniform in [0, delay]). */
  readonly jitter: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 100, factor: 2, maxMs: 5_000, jitter: 0.5 };

export function validateBackoff(p: BackoffPolicy): void {
  const bad = (field: string, rule: string): never => {
    throw new RangeError(`backoff.${field}: ${rule}`);
  };
  if (!(p.initialMs >= 0) || !Number.isFinite(p.initialMs)) bad('initialMs', `must be a finite number >= 0, got ${p.initialMs}`);
  if (!(p.factor >= 1) || !Number.isFinite(p.factor)) bad('factor', `must be a finite number >= 1, got ${p.factor}`);
  if (!(p.maxMs >= p.initialMs) || !Number.isFinite(p.maxMs)) bad('maxMs', `must be finite and >= initialMs, got ${p.maxMs}`);
  if (!(p.jitter >= 0 && p.jitter <= 1)) bad('jitter', `must be in [0, 1], got ${p.jitter}`);
}

/** Delay before retry number `retry` (0-based): min(max, initial·factor^retry), the jittered part drawn from rng. */
export function backoffDelay(p: BackoffPolicy, retry: number, rng: Rng): number {
  const base = Math.min(p.maxMs, p.initialMs * Math.pow(p.factor, Math.max(0, retry)));
  const fixed = base * (1 - p.jitter);
  return Math.round(fixed + base * p.jitter * rng());
}
