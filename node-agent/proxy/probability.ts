// The statistic module's probability as iptables-save prints it. iptables stores the probability
// as lround(p * 2^31) and prints that back with %.11f; rendering the stored value means the
// number in our text is the one a reader finds in iptables-save (1/3 → 0.33333333349).
// kube-proxy itself writes %0.10f (0.3333333333); the kernel ends up with the same value.

const SCALE = 0x80000000;

/** Probability for the rule that picks 1 of the `remaining` endpoints still to choose from. */
export function probability(remaining: number): string {
  if (!Number.isInteger(remaining) || remaining < 1) throw new RangeError(`probability: remaining must be a positive integer, got ${remaining}`);
  return (Math.round(SCALE / remaining) / SCALE).toFixed(11);
}
