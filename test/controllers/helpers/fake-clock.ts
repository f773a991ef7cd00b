// A manual clock for the deterministic parts: time moves only when the test advances it.
import type { Clock } from '../../../client/index.js';

export class FakeClock implements Clock {
  private t: number;
  private sleepers: { at: number; resolve: () => void }[] = [];

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const s = { at: this.t + ms, resolve };
      this.sleepers.push(s);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((x) => x !== s);
        resolve();
      }, { once: true });
    });
  }

  /** Moves time on and wakes every sleeper that is due (then lets their continuations run). */
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.at <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.resolve();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
}
