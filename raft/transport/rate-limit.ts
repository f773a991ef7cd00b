// Lets an event through at most once per interval (unreachable reports, repeated warnings).

export class RateLimit {
  private last = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  /** True when the interval has passed since the last time it returned true. */
  allow(): boolean {
    const t = this.now();
    if (t - this.last < this.intervalMs) return false;
    this.last = t;
    return true;
  }
}
