import t from 'tap';
import { backoffDelay, defaultBackoff, validateBackoff } from '../../client/index.js';

t.test('backoff - exponential schedule capped at maxMs, no jitter', async (t) => {
  const p = { initialMs: 100, factor: 2, maxMs: 1000, jitter: 0 };
  t.same([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(p, n, () => 0.99)), [100, 200, 400, 800, 1000, 1000, 1000]);
});

t.test('backoff - jitter draws only the jittered fraction from the RNG', async (t) => {
  const p = { initialMs: 100, factor: 2, maxMs: 10_000, jitter: 0.5 };
  t.equal(backoffDelay(p, 2, () => 0), 200, 'lowest draw: the fixed half of 400');
  t.equal(backoffDelay(p, 2, () => 0.999999), 400, 'highest draw: the whole 400');
  t.equal(backoffDelay({ ...p, jitter: 1 }, 0, () => 0), 0, 'full jitter can be 0');
  for (let n = 0; n < 20; n++) {
    const d = backoffDelay(defaultBackoff, n, Math.random);
    t.ok(d >= 0 && d <= defaultBackoff.maxMs, `delay ${n} = ${d} within [0, max]`);
  }
});

t.test('backoff - invalid policies are refused with the field named', async (t) => {
  t.throws(() => validateBackoff({ initialMs: -1, factor: 2, maxMs: 10, jitter: 0 }), /backoff.initialMs/);
  t.throws(() => validateBackoff({ initialMs: 1, factor: 0.5, maxMs: 10, jitter: 0 }), /backoff.factor/);
  t.throws(() => validateBackoff({ initialMs: 100, factor: 2, maxMs: 10, jitter: 0 }), /backoff.maxMs/);
  t.throws(() => validateBackoff({ initialMs: 1, factor: 2, maxMs: 10, jitter: 2 }), /backoff.jitter/);
  t.doesNotThrow(() => validateBackoff(defaultBackoff));
});
