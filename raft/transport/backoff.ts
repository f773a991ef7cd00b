// Reconnect delays: exponential from minMs, capped at maxMs, with jitter so that peers that lost
// the same member do not reconnect in lockstep.

export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
}

/**
 * The delay before reconnect attempt `attempt` (0-based): uniformly in [base/2, base) where
 * base = min(maxMs, minMs * 2^attempt). `random` returns a value in [0, 1).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exp = Math.min(Math.max(0, attempt), 30);
  const base = Math.min(policy.maxMs, policy.minMs * 2 ** exp);
  return base / 2 + (random() * base) / 2;
}
