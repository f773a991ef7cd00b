// The Scheduler against a real API server (in process, MemoryStorage, loopback gRPC): binds
// pending pods, never oversubscribes a node across back-to-back pods, explains an unschedulable
// pod once (event + condition) and places it when a fitting node joins.
import t from 'tap';
import type { Event, Pod } from '../../api/index.js';
import { podWith, startCluster, until } from './helpers.js';

t.test('scheduler - binds pending pods and respects node resources across back-to-back pods', async (t) => {
  const c = await startCluster(t);
  await c.addNode('n1', { cpu: '2', memory: '4Gi' });
  await c.addNode('n2', { cpu: '2', memory: '4Gi' });
  t.equal(await c.scheduler.start(), true, 'caches synced');
  const pods = c.client.resource<Pod>('pods', 'default');
  // 8 pods of 500m: exactly 4 fit per node; created at once so decisions run back to back.
  await Promise.all(Array.from({ length: 8 }, (_, i) => pods.create(podWith(`p${i}`, { cpu: '500m', memory: '256Mi' }))));
  let list: Pod[] = [];
  await until(t, 'all 8 pods bound', async () => {
    list = (await pods.list()).items;
    return list.filter((p) => p.spec.nodeName).length === 8;
  });
  const perNode = new Map<string, number>();
  for (const p of list) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
  t.same(Object.fromEntries(perNode), { n1: 4, n2: 4 }, 'no node holds more than its CPU allows');
  for (const p of list) t.equal(p.status.conditions?.find((x) => x.type === 'PodScheduled')?.status, 'True', `${p.metadata.name} PodScheduled=True`);

  // A ninth pod of 500m fits nowhere now.
  await pods.create(podWith('extra', { cpu: '500m' }));
  const events = c.client.resource<Event>('events', 'default');
  let failed: Event[] = [];
  await until(t, 'FailedScheduling event', async () => {
    failed = (await events.list()).items.filter((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'extra');
    return failed.length > 0;
  });
  t.equal(failed[0]!.message, '0/2 nodes are available: 2 Insufficient cpu.');
  t.equal(failed[0]!.type, 'Warning');
  await until(t, 'PodScheduled=False condition', async () => (await pods.get('extra')).status.conditions?.some((x) => x.type === 'PodScheduled' && x.status === 'False') ?? false);
  const cond = (await pods.get('extra')).status.conditions!.find((x) => x.type === 'PodScheduled')!;
  t.same({ reason: cond.reason, message: cond.message }, { reason: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient cpu.' });
  const scheduled = (await events.list()).items.filter((e) => e.reason === 'Scheduled');
  t.equal(scheduled.length, 8, 'one Scheduled event per bound pod');

  // Deleting a pod frees room: the pending pod is retried and lands.
  await pods.delete('p0', { gracePeriodSeconds: 0 });
  await until(t, 'extra bound after a delete', async () => (await pods.get('extra')).spec.nodeName !== undefined);
  t.pass('the pool was moved by the pod deletion');
});

t.test('scheduler - an unschedulable pod is explained once, then placed when a fitting node joins', async (t) => {
  const c = await startCluster(t, { initialBackoffMs: 100, maxBackoffMs: 200 });
  const edge = [{ key: 'edge', value: 'true', effect: 'NoSchedule' as const }];
  for (const n of ['a', 'b', 'c']) await c.addNode(n, { memory: '1Gi' });
  for (const n of ['e1', 'e2']) await c.addNode(n, { memory: '16Gi', taints: edge });
  t.equal(await c.scheduler.start(), true);
  const pods = c.client.resource<Pod>('pods', 'default');
  await pods.create(podWith('big', { memory: '2Gi' }));
  const events = c.client.resource<Event>('events', 'default');
  const failedEvents = async () => (await events.list()).items.filter((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'big');
  await until(t, 'FailedScheduling event', async () => (await failedEvents()).length > 0);
  const msg = '0/5 nodes are available: 2 node(s) had untolerated taint {edge: true}, 3 Insufficient memory.';
  t.equal((await failedEvents())[0]!.message, msg);
  // Node updates that change nothing the filters read do not retry; a relabel does, giving the
  // same answer, which must not produce a second event.
  await c.client.resource('nodes', '').patch('a', { metadata: { labels: { touched: 'yes' } } });
  await until(t, 'the retry after the node change', () => c.scheduler.stats().unschedulable >= 2);
  t.equal((await failedEvents()).length, 1, 'no second event for the same reason');
  await c.addNode('big-node', { memory: '4Gi' });
  await until(t, 'big bound to the new node', async () => (await pods.get('big')).spec.nodeName === 'big-node');
  const p = await pods.get('big');
  t.equal(p.status.conditions?.find((x) => x.type === 'PodScheduled')?.status, 'True', 'the binding turned PodScheduled True');
});

t.test('scheduler - only pods for its schedulerName; stop() ends scheduling', async (t) => {
  const c = await startCluster(t);
  await c.addNode('n1');
  t.equal(await c.scheduler.start(), true);
  const pods = c.client.resource<Pod>('pods', 'default');
  await pods.create(podWith('mine'));
  await pods.create(podWith('theirs', {}, { schedulerName: 'other-scheduler' }));
  await until(t, 'mine bound', async () => (await pods.get('mine')).spec.nodeName === 'n1');
  await c.scheduler.stop();
  t.notOk(c.scheduler.running);
  await pods.create(podWith('after-stop'));
  await new Promise((r) => setTimeout(r, 500));
  t.equal((await pods.get('theirs')).spec.nodeName, undefined, 'another scheduler’s pod is left alone');
  t.equal((await pods.get('after-stop')).spec.nodeName, undefined, 'nothing is bound after stop()');
});
