// systemClock.sleep over Node's longest timer (2^31-1 ms ≈ 24.8 days): Node fires such a timer
// after 1 ms, which once made the agent renew its year-long certificate in a tight loop.
import t from 'tap';
import { MAX_TIMER_MS, systemClock } from '../../client/clock.js';

t.test('a sleep longer than the longest timer does not end early; abort still ends it', async (t) => {
  const stop = new AbortController();
  let ended = false;
  const sleeping = systemClock.sleep(MAX_TIMER_MS + 60_000, stop.signal).then(() => (ended = true));
  await new Promise((r) => setTimeout(r, 300));
  t.equal(ended, false, 'still sleeping after 300 ms (an overflowed timer ends after 1 ms)');
  stop.abort();
  await sleeping;
  t.equal(ended, true, 'abort ends it');
});

t.test('short sleeps still end on their own', async (t) => {
  const before = Date.now();
  await systemClock.sleep(20);
  t.ok(Date.now() - before >= 19, 'not before its time');
});
