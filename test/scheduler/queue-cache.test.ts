// The scheduling queue (order, backoff, moves on cluster changes) on a hand-driven clock, and the
// cache's assume / confirm / forget / expire.
import t from 'tap';
import type { Clock } from '../../client/index.js';
import { SchedulerCache } from '../../control-plane/scheduler/cache.js';
import { backoffFor, SchedulingQueue } from '../../control-plane/scheduler/queue.js';
import { info, makeNode, makePod } from './fixtures.js';

/** A clock that moves only when told; sleep is never used by the queue. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000;
  return { now: () => now, sleep: async () => {}, advance: (ms) => (now += ms) };
}

t.test('queue - backoff doubles from 1 s to at most 10 s', async (t) => {
  t.same([1, 2, 3, 4, 5, 6].map((n) => backoffFor(n, 1000, 10_000)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
});

t.test('queue - higher priority first, then first come', async (t) => {
  const clock = manualClock();
  const q = new SchedulingQueue({ clock });
  q.add(info(makePod('a')));
  clock.advance(1);
  q.add(info(makePod('b', { spec: { priority: 10 } })));
  clock.advance(1);
  q.add(info(makePod('c')));
  const order = [q.pop(), q.pop(), q.pop(), q.pop()].map((e) => e?.info.pod.metadata.name);
  t.same(order, ['b', 'a', 'c', undefined]);
});

t.test('queue - an unschedulable pod waits in the pool until a change, then its backoff', async (t) => {
  const clock = manualClock();
  const q = new SchedulingQueue({ clock });
  q.add(info(makePod('p')));
  const e = q.pop()!;
  q.addUnschedulable(e);
  t.equal(q.location('default/p'), 'unschedulable');
  clock.advance(5000);
  q.flush();
  t.equal(q.location('default/p'), 'unschedulable', 'a flush alone does not retry before maxUnschedulableMs');
  q.moveAll();
  t.equal(q.location('default/p'), 'active', 'a node change moves it (its 1 s backoff is over)');
  const e2 = q.pop()!;
  q.addUnschedulable(e2);
  q.moveAll();
  t.equal(q.location('default/p'), 'backoff', 'second failure: moved, but still inside its 2 s backoff');
  clock.advance(1999);
  q.flush();
  t.equal(q.location('default/p'), 'backoff');
  clock.advance(1);
  q.flush();
  t.equal(q.location('default/p'), 'active', 'backoff over');
});

t.test('queue - a change during the cycle sends the pod to backoff, not the pool', async (t) => {
  const clock = manualClock();
  const q = new SchedulingQueue({ clock });
  q.add(info(makePod('p')));
  const e = q.pop()!;
  q.moveAll(); // e.g. a node was added while the cycle ran
  q.addUnschedulable(e);
  t.equal(q.location('default/p'), 'backoff');
  clock.advance(1000);
  q.flush();
  t.equal(q.location('default/p'), 'active');
});

t.test('queue - the pool is flushed after maxUnschedulableMs; deleted pods vanish', async (t) => {
  const clock = manualClock();
  const q = new SchedulingQueue({ clock, maxUnschedulableMs: 30_000 });
  q.add(info(makePod('p')));
  q.add(info(makePod('gone')));
  const p = q.pop()!;
  q.addUnschedulable(p);
  q.delete('default/gone');
  t.equal(q.pop(), undefined, 'the deleted pod is not handed out');
  clock.advance(30_000);
  q.flush();
  t.equal(q.pop()?.info.key, 'default/p');
  const again = q.pop();
  t.equal(again, undefined);
  t.same(q.counts(), { active: 0, backoff: 0, unschedulable: 0, inFlight: 1 });
});

t.test('queue - an update of a pooled pod retries it; wait() wakes on add', async (t) => {
  const clock = manualClock();
  const q = new SchedulingQueue({ clock });
  q.add(info(makePod('p')));
  q.addUnschedulable(q.pop()!);
  clock.advance(1000);
  q.add(info(makePod('p', { labels: { changed: 'yes' } })));
  const e = q.pop();
  t.same(e?.info.pod.metadata.labels, { changed: 'yes' }, 'the newer object is scheduled');
  const ac = new AbortController();
  const waiting = q.wait(ac.signal);
  q.add(info(makePod('z')));
  await waiting;
  t.equal(q.pop()?.info.key, 'default/z');
  t.throws(() => new SchedulingQueue({ clock, initialBackoffMs: 0 }), /backoff/);
});

t.test('cache - assume counts the pod at once; forget releases it; confirm keeps it', async (t) => {
  const c = new SchedulerCache(30_000);
  c.setNode(makeNode('n', { memory: '1Gi' }));
  const p = info(makePod('p', { memory: '600Mi' }));
  c.assume(p, 'n');
  t.equal(c.node('n')!.requested.memory, 600 * 1024 * 1024, 'assumed pod counted');
  t.ok(c.isAssumed('default/p'));
  t.throws(() => c.assume(p, 'n'), /already in the cache/);
  c.forget('default/p');
  t.equal(c.node('n')!.requested.memory, 0, 'forgotten after a failed bind');
  c.assume(p, 'n');
  c.finishBinding('default/p', 0);
  c.addOrUpdatePod(makePod('p', { memory: '600Mi', nodeName: 'n' }));
  t.notOk(c.isAssumed('default/p'), 'confirmed by the informer');
  t.equal(c.node('n')!.requested.memory, 600 * 1024 * 1024, 'counted once, not twice');
  t.equal(c.node('n')!.requested.pods, 1);
  c.forget('default/p');
  t.equal(c.node('n')!.requested.pods, 1, 'a confirmed pod is not forgotten');
  c.removePod('default/p');
  t.equal(c.node('n')!.requested.pods, 0);
});

t.test('cache - the server placing the pod elsewhere wins; expired assumptions drop', async (t) => {
  const c = new SchedulerCache(1000);
  c.setNode(makeNode('a'));
  c.setNode(makeNode('b'));
  c.assume(info(makePod('p', { cpu: '1' })), 'a');
  c.addOrUpdatePod(makePod('p', { cpu: '1', nodeName: 'b' }));
  t.same([c.node('a')!.requested.milliCPU, c.node('b')!.requested.milliCPU], [0, 1000]);
  c.assume(info(makePod('q', { cpu: '1' })), 'a');
  t.same(c.cleanupExpired(10_000), [], 'never expires while the bind is in flight');
  c.finishBinding('default/q', 10_000);
  t.same(c.cleanupExpired(10_500), []);
  t.same(c.cleanupExpired(11_001), ['default/q']);
  t.equal(c.node('a')!.requested.milliCPU, 0);
});

t.test('cache - pods on unknown nodes count once the node arrives; node removal keeps them', async (t) => {
  const c = new SchedulerCache();
  c.addOrUpdatePod(makePod('p', { cpu: '1', nodeName: 'late' }));
  t.equal(c.snapshot().nodes.length, 0);
  c.setNode(makeNode('late'));
  t.equal(c.node('late')!.requested.milliCPU, 1000);
  c.removeNode('late');
  t.equal(c.snapshot().nodes.length, 0);
  c.setNode(makeNode('late'));
  t.equal(c.node('late')!.requested.milliCPU, 1000, 'the pod counts again when the node returns');
});
