// Time and randomness are passed in (no global clock or RNG): tests drive them, production uses
// systemClock and Math.random.

export interface Clock {
  /** Milliseconds since some fixed point. */
  now(): number;
  /** Resolves after ms, or early (without error) when signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Uniform in [0, 1). */
export type Rng = () => number;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export const systemRng: Rng = Math.random;
