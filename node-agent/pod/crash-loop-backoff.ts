// Crash-loop backoff, as the kubelet: the first restart of a container is immediate; each later
// one waits twice as long as the one before (10 s, 20 s, 40 s ... capped at 5 min); a container
// that ran at least 10 min before it exited starts over from an immediate restart.

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Running this long before an exit resets the backoff. */
  readonly resetAfterMs: number;
}

export const defaultCrashLoopBackoff: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

export function validateBackoffPolicy(p: BackoffPolicy): BackoffPolicy {
  if (!(p.initialMs >= 0)) throw new RangeError(`crash-loop backoff initialMs: must be >= 0, got ${p.initialMs}`);
  if (!(p.maxMs >= p.initialMs)) throw new RangeError(`crash-loop backoff maxMs: must be >= initialMs (${p.initialMs}), got ${p.maxMs}`);
  if (!(p.resetAfterMs > 0)) throw new RangeError(`crash-loop backoff resetAfterMs: must be > 0, got ${p.resetAfterMs}`);
  return p;
}

/** Delay before the `n`th consecutive restart (n >= 1). */
export function crashLoopDelayMs(n: number, p: BackoffPolicy = defaultCrashLoopBackoff): number {
  if (n <= 1) return 0;
  return Math.min(p.maxMs, p.initialMs * 2 ** Math.min(n - 2, 40));
}

/**
 * The consecutive-restart count after an exit: starts over when the run lasted resetAfterMs, else
 * one more than before.
 */
export function nextConsecutive(previous: number, ranMs: number, p: BackoffPolicy = defaultCrashLoopBackoff): number {
  return ranMs >= p.resetAfterMs ? 1 : previous + 1;
}
