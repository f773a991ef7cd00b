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

/**
 * The longest single timer Node.js keeps: a longer one fires after 1 ms (TimeoutOverflowWarning),
 * so long sleeps (a certificate renewal months away) are taken in steps of this.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const until = Date.now() + ms;
      let timer: NodeJS.Timeout;
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const arm = (): void => {
        const left = until - Date.now();
        if (left > MAX_TIMER_MS) timer = setTimeout(arm, MAX_TIMER_MS);
        else timer = setTimeout(done, Math.max(0, left));
      };
      arm();
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export const systemRng: Rng = Math.random;
