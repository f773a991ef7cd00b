// Crash-loop backoff schedule and restart decisions per restartPolicy.
import t from 'tap';
import { crashLoopDelayMs, defaultCrashLoopBackoff, nextConsecutive, shouldRestart, shouldRestartInit } from '../../node-agent/index.js';

t.test('crash-loop backoff - immediate, then 10 s doubling to 5 min', async (t) => {
  const s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 30].map((n) => crashLoopDelayMs(n) / 1000);
  t.same(s, [0, 10, 20, 40, 80, 160, 300, 300, 300, 300]);
});

t.test('crash-loop backoff - resets after 10 min of running', async (t) => {
  t.equal(nextConsecutive(5, 599_999), 6, 'a short run counts on');
  t.equal(nextConsecutive(5, 600_000), 1, 'ten minutes of running start over');
  t.equal(defaultCrashLoopBackoff.resetAfterMs, 600_000);
});

t.test('restart decisions - per policy and exit code', async (t) => {
  const table: ['Always' | 'OnFailure' | 'Never', number, boolean, boolean][] = [
    ['Always', 0, true, false],
    ['Always', 1, true, true],
    ['OnFailure', 0, false, false],
    ['OnFailure', 1, true, true],
    ['Never', 0, false, false],
    ['Never', 1, false, false],
  ];
  for (const [policy, code, app, init] of table) {
    t.equal(shouldRestart(policy, code), app, `app ${policy} exit ${code}`);
    t.equal(shouldRestartInit(policy, code), init, `init ${policy} exit ${code}`);
  }
});
