// The work queue and expectations, with a fake clock: dedupe, in-flight exclusion, dirty re-add,
// exponential retry delays, shutdown; expectations satisfied, observed, expired.
import t from 'tap';
import { Expectations, WorkQueue } from '../../control-plane/controllers/index.js';
import { FakeClock } from './helpers/fake-clock.js';

t.test('work queue - a key waiting is queued once', async (t) => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('a');
  q.add('b');
  q.add('a');
  t.equal(q.length, 2);
  t.equal(await q.get(), 'a');
  t.equal(await q.get(), 'b');
});

t.test('work queue - a key in flight is not handed out again; an add meanwhile re-queues it after done', async (t) => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('a');
  const k = await q.get();
  t.equal(k, 'a');
  q.add('a');
  t.equal(q.length, 0, 'not queued while in flight');
  q.done('a');
  t.equal(q.length, 1, 'queued again after done');
  t.equal(await q.get(), 'a');
  q.done('a');
  t.equal(q.length, 0, 'no dirty mark left');
});

t.test('work queue - a waiting get receives the next add', async (t) => {
  const q = new WorkQueue({ clock: new FakeClock() });
  const p = q.get();
  q.add('x');
  t.equal(await p, 'x');
  q.add('x');
  t.equal(q.length, 0, 'handed to the waiter, so in flight');
});

t.test('work queue - retry delays double per failure up to the max, forget resets', async (t) => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock, baseDelayMs: 10, maxDelayMs: 50 });
  const cases: [number, number][] = [[0, 10], [1, 20], [2, 40], [3, 50], [10, 50]];
  for (const [failures, ms] of cases) t.equal(q.retryDelay(failures), ms, `after ${failures} failures`);
  q.addRateLimited('k');
  t.equal(q.numRequeues('k'), 1);
  t.equal(q.length, 0, 'not before the delay');
  await clock.advance(9);
  t.equal(q.length, 0);
  await clock.advance(1);
  t.equal(q.length, 1, 'after 10 ms');
  q.forget('k');
  t.equal(q.numRequeues('k'), 0);
});

t.test('work queue - shutDown wakes waiters with undefined and ignores later adds', async (t) => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  const p = q.get();
  q.addAfter('later', 100);
  q.shutDown();
  t.equal(await p, undefined);
  q.add('z');
  await clock.advance(200);
  t.equal(q.length, 0);
  t.equal(await q.get(), undefined);
  t.throws(() => new WorkQueue({ clock, baseDelayMs: 0 }), /baseDelayMs/);
});

t.test('expectations - pending until observed; deletions tracked by key; expire after the TTL', async (t) => {
  const clock = new FakeClock();
  const e = new Expectations(clock, 1000);
  t.ok(e.satisfied('rs'), 'nothing expected');
  e.expect('rs', 2);
  t.notOk(e.satisfied('rs'));
  e.creationObserved('rs');
  t.notOk(e.satisfied('rs'));
  e.creationObserved('rs');
  t.ok(e.satisfied('rs'), 'both creations seen');
  e.expect('rs', 0, ['ns/p1', 'ns/p2']);
  e.deletionObserved('rs', 'ns/p1');
  e.deletionObserved('rs', 'ns/p1');
  t.notOk(e.satisfied('rs'), 'one deletion seen twice is still one');
  e.deletionObserved('rs', 'ns/p2');
  t.ok(e.satisfied('rs'));
  e.expect('rs', 3);
  e.creationSkipped('rs', 3);
  t.ok(e.satisfied('rs'), 'skipped creations are not waited for');
  e.expect('rs', 1);
  await clock.advance(1001);
  t.ok(e.satisfied('rs'), 'expired');
});
