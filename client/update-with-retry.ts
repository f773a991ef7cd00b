// Read-modify-write with optimistic concurrency: get the latest object, let the caller change
// it, update with its resourceVersion (a compare-and-swap), and start again on Conflict. The
// mutation must be a function of the object it is given ("set replicas to 3", "add label x"),
// so running it again on a newer version is always right. A write whose outcome is unknown is
// also retried this way: the next get shows whether it landed, and the CAS keeps it from
// landing twice.
import type { KubeObject } from '../api/kind.js';
import { backoffDelay } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import type { CallOptionsIn } from './connection.js';
import { isConflict, isOutcomeUnknown } from './errors.js';
import { systemClock, systemRng } from './clock.js';
import type { Clock, Rng } from './clock.js';

export interface UpdateWithRetryOptions extends CallOptionsIn {
  /** Attempts in all, the first included (default 5). */
  readonly maxAttempts?: number;
  /** Update the status subresource instead of the object. */
  readonly status?: boolean;
  /** Pause between attempts (default 10 ms .. 500 ms, full jitter). */
  readonly backoff?: BackoffPolicy;
  readonly clock?: Clock;
  readonly rng?: Rng;
}

/** What updateWithRetry needs from a resource client. */
export interface UpdatableResource<T extends KubeObject> {
  get(name: string, opts?: CallOptionsIn & { readonly namespace?: string }): Promise<T>;
  update(object: T, opts?: CallOptionsIn & { readonly namespace?: string }): Promise<T>;
  updateStatus(object: T, opts?: CallOptionsIn & { readonly namespace?: string }): Promise<T>;
}

const conflictBackoff: BackoffPolicy = { initialMs: 10, factor: 2, maxMs: 500, jitter: 1 };

/**
 * Returns the stored result. `mutate` may change the object in place or return a new one;
 * returning undefined means "nothing to change" and the current object is returned unwritten.
 */
export async function updateWithRetry<T extends KubeObject>(
  resource: UpdatableResource<T>,
  name: string,
  mutate: (current: T) => T | undefined | Promise<T | undefined>,
  opts: UpdateWithRetryOptions & { readonly namespace?: string } = {},
): Promise<T> {
  const maxAttempts = opts.maxAttempts ?? 5;
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) throw new RangeError(`maxAttempts: must be an integer >= 1, got ${maxAttempts}`);
  const callOpts = { ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }), ...(opts.signal === undefined ? {} : { signal: opts.signal }), ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) };
  for (let attempt = 1; ; attempt++) {
    const current = await resource.get(name, callOpts);
    const rv = current.metadata.resourceVersion;
    const next = await mutate(current);
    if (next === undefined) return current;
    // The compare-and-swap is what makes a retry safe: always write against the version read.
    next.metadata.resourceVersion = rv;
    try {
      return await (opts.status === true ? resource.updateStatus(next, callOpts) : resource.update(next, callOpts));
    } catch (e) {
      if (!(isConflict(e) || isOutcomeUnknown(e)) || attempt >= maxAttempts) throw e;
    }
    await (opts.clock ?? systemClock).sleep(backoffDelay(opts.backoff ?? conflictBackoff, attempt - 1, opts.rng ?? systemRng), opts.signal);
  }
}
