// One probe of one container instance, as a pure state machine: when it is due, and what its
// result is after successThreshold successes / failureThreshold failures in a row. A new
// container instance gets a new tracker.
import type { Probe } from '../../api/index.js';

export const ProbeKind = { Liveness: 'liveness', Readiness: 'readiness', Startup: 'startup' } as const;
export type ProbeKind = (typeof ProbeKind)[keyof typeof ProbeKind];

export const ProbeResult = { Unknown: 'unknown', Success: 'success', Failure: 'failure' } as const;
export type ProbeResult = (typeof ProbeResult)[keyof typeof ProbeResult];

export class ProbeTracker {
  private successes = 0;
  private failures = 0;
  private nextAt: number;
  result: ProbeResult;
  lastMessage = '';

  constructor(
    readonly kind: ProbeKind,
    readonly probe: Probe,
    /** When the container started (epoch ms): the first probe waits initialDelaySeconds. */
    startedAt: number,
  ) {
    this.nextAt = startedAt + probe.initialDelaySeconds * 1000;
    // Kubernetes' initial results: liveness assumes success, readiness and startup do not.
    this.result = kind === ProbeKind.Liveness ? ProbeResult.Success : ProbeResult.Unknown;
  }

  due(now: number): boolean {
    return now >= this.nextAt;
  }

  /** Records one probe outcome at `now`; returns true when the result changed. */
  observe(ok: boolean, now: number, message = ''): boolean {
    this.nextAt = now + this.probe.periodSeconds * 1000;
    this.lastMessage = message;
    const before = this.result;
    if (ok) {
      this.failures = 0;
      this.successes++;
      if (this.successes >= this.probe.successThreshold) this.result = ProbeResult.Success;
    } else {
      this.successes = 0;
      this.failures++;
      if (this.failures >= this.probe.failureThreshold) this.result = ProbeResult.Failure;
    }
    return this.result !== before;
  }
}
