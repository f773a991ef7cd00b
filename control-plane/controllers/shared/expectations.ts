// Controller expectations, like client-go's UIDTrackingControllerExpectations: after a sync asks
// for N creations (or deletes named pods), the controller waits until its informer has seen
// them before deciding again, so a lagging cache never makes it create or delete twice.
// Expectations expire after a TTL so a lost event cannot wedge a controller.
import type { Clock } from '../../../client/index.js';

interface Expectation {
  add: number;
  readonly deletes: Set<string>;
  readonly at: number;
}

export const EXPECTATIONS_TTL_MS = 5 * 60_000;

export class Expectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly clock: Clock, private readonly ttlMs = EXPECTATIONS_TTL_MS) {}

  /** True when nothing is pending for the controller key (or what was pending expired). */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (e === undefined) return true;
    if (e.add <= 0 && e.deletes.size === 0) return true;
    return this.clock.now() - e.at > this.ttlMs;
  }

  /** Replaces the key's expectations: `adds` creations and the deletion of `deletes` (object keys). */
  expect(key: string, adds: number, deletes: readonly string[] = []): void {
    this.byKey.set(key, { add: adds, deletes: new Set(deletes), at: this.clock.now() });
  }

  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e !== undefined) e.add--;
  }

  /** A creation that was expected but failed or was skipped. */
  creationSkipped(key: string, n = 1): void {
    const e = this.byKey.get(key);
    if (e !== undefined) e.add -= n;
  }

  deletionObserved(key: string, objectKey: string): void {
    this.byKey.get(key)?.deletes.delete(objectKey);
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }
}
