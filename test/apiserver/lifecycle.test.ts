// Object lifecycle through the API of a real 3-process control plane: status subresource and
// generation, pods/binding, finalizers and graceful deletion, label/field selectors and
// pagination.
import t from 'tap';
import { ControlPlaneCluster } from './helpers/control-plane-cluster.js';
import { ApiConn, failure } from './helpers/api-conn.js';
import type { Obj } from './helpers/api-conn.js';
import { configMap, pod } from './helpers/samples.js';

const cp = await ControlPlaneCluster.start(t);
const [a, b, c] = cp.names.map((n) => new ApiConn(cp.apiEndpoint(n))) as [ApiConn, ApiConn, ApiConn];
t.teardown(() => [a, b, c].forEach((x) => x.close()));

const status = (o: Obj): Record<string, unknown> => (o.status ?? {}) as Record<string, unknown>;
const spec = (o: Obj): Record<string, unknown> => (o.spec ?? {}) as Record<string, unknown>;

t.test('apiserver - status subresource and generation', async (t) => {
  const d0 = await a.create('deployments', 'default', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    status: { replicas: 7 },
  });
  t.equal(d0.metadata.generation, 1);
  t.not(status(d0).replicas, 7, 'a create does not take the status from the user');
  const d1 = await b.update('deployments', 'default', { ...d0, status: { replicas: 3 } }, { subresource: 'status' });
  t.equal(status(d1).replicas, 3, 'status update sets status');
  t.equal(d1.metadata.generation, 1, 'status does not bump generation');
  const d2 = await c.update('deployments', 'default', { ...d1, spec: { ...spec(d1), replicas: 5 }, status: { replicas: 99 } });
  t.equal(spec(d2).replicas, 5);
  t.equal(status(d2).replicas, 3, 'an update of the main resource keeps the stored status');
  t.equal(d2.metadata.generation, 2, 'a spec change bumps generation');
  const d3 = await a.update('deployments', 'default', { ...d2, spec: { ...spec(d2), replicas: 1 }, status: { replicas: 4 } }, { subresource: 'status' });
  t.equal(spec(d3).replicas, 5, 'a status update keeps the spec');
  t.equal(status(d3).replicas, 4);
  const d4 = await b.patch('deployments', 'default', 'web', { status: { replicas: 6 } }, { subresource: 'status' });
  t.equal(status(d4).replicas, 6, 'status merge patch');
  const d5 = await b.update('deployments', 'default', { ...d4, metadata: { ...d4.metadata, labels: { x: 'y' } } });
  t.equal(d5.metadata.generation, 2, 'a metadata-only change keeps generation');
  t.equal((await failure(a.update('configmaps', 'default', configMap('x') as Obj, { subresource: 'status' }))).code, 5, 'no status subresource on configmaps');
});

t.test('apiserver - pods/binding sets spec.nodeName once', async (t) => {
  await a.create('pods', 'default', pod('to-bind'));
  const bound = await b.create('pods', 'default', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'to-bind' }, target: { kind: 'Node', name: 'node-1' } }, { subresource: 'binding', name: 'to-bind' });
  t.equal(spec(bound).nodeName, 'node-1');
  const conditions = status(bound).conditions as { type: string; status: string }[];
  t.ok(conditions.some((x) => x.type === 'PodScheduled' && x.status === 'True'), 'PodScheduled condition');
  t.equal(spec(await c.get('pods', 'default', 'to-bind')).nodeName, 'node-1');
  const again = await failure(c.create('pods', 'default', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'to-bind' }, target: { kind: 'Node', name: 'node-2' } }, { subresource: 'binding', name: 'to-bind' }));
  t.equal(again.code, 10, 'ABORTED (conflict)');
  t.match(again.details, /pod to-bind is already assigned to node "node-1"/);
  const missing = await failure(c.create('pods', 'default', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'nobody' }, target: { kind: 'Node', name: 'n' } }, { subresource: 'binding', name: 'nobody' }));
  t.equal(missing.code, 5);
  const noTarget = await failure(c.create('pods', 'default', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'to-bind' } }, { subresource: 'binding', name: 'to-bind' }));
  t.equal(noTarget.code, 3);
  t.match(noTarget.details, /target/);
});

t.test('apiserver - graceful deletion of pods', async (t) => {
  await a.create('pods', 'default', pod('unbound', { grace: 30 }));
  const gone = await b.delete('pods', 'default', 'unbound');
  t.equal(gone.metadata.name, 'unbound');
  t.equal((await failure(c.get('pods', 'default', 'unbound'))).code, 5, 'an unbound pod goes at once');

  await a.create('pods', 'default', pod('bound', { nodeName: 'node-1', grace: 30 }));
  const marked = await b.delete('pods', 'default', 'bound');
  t.ok(marked.metadata.deletionTimestamp, 'a bound pod is only marked');
  t.equal(marked.metadata.deletionGracePeriodSeconds, 30);
  t.ok(Date.parse(marked.metadata.deletionTimestamp!) > Date.now() + 20_000, 'deletionTimestamp = now + grace');
  const still = await c.get('pods', 'default', 'bound');
  t.equal(still.metadata.deletionTimestamp, marked.metadata.deletionTimestamp);
  const again = await a.delete('pods', 'default', 'bound');
  t.equal(again.metadata.resourceVersion, marked.metadata.resourceVersion, 'a second delete with the same grace changes nothing');
  const shorter = await a.delete('pods', 'default', 'bound', { gracePeriodSeconds: 10 });
  t.equal(shorter.metadata.deletionGracePeriodSeconds, 10, 'a shorter grace period moves the deadline');
  await b.delete('pods', 'default', 'bound', { gracePeriodSeconds: 0 });
  t.equal((await failure(c.get('pods', 'default', 'bound'))).code, 5, 'the agent deletes it with grace 0');
});

t.test('apiserver - finalizers hold an object until the last one is removed', async (t) => {
  const w = c.watch('configmaps', 'default', { fieldSelector: 'metadata.name=held' });
  t.teardown(() => w.close());
  const made = await a.create('configmaps', 'default', { ...configMap('held'), metadata: { name: 'held', finalizers: ['example.com/hold', 'example.com/second'] } });
  const marked = await b.delete('configmaps', 'default', 'held');
  t.ok(marked.metadata.deletionTimestamp);
  t.equal(marked.metadata.deletionGracePeriodSeconds, 0);
  const add = await failure(c.update('configmaps', 'default', { ...marked, metadata: { ...marked.metadata, finalizers: ['example.com/hold', 'example.com/second', 'example.com/new'] } }));
  t.equal(add.code, 3);
  t.match(add.details, /no new finalizers can be added if the object is being deleted/);
  const one = await c.update('configmaps', 'default', { ...marked, metadata: { ...marked.metadata, finalizers: ['example.com/second'] } });
  t.same(one.metadata.finalizers, ['example.com/second']);
  t.equal((await b.get('configmaps', 'default', 'held')).metadata.uid, made.metadata.uid, 'still there with one finalizer');
  await a.patch('configmaps', 'default', 'held', { metadata: { finalizers: null } });
  t.equal((await failure(b.get('configmaps', 'default', 'held'))).code, 5, 'removing the last finalizer deletes it');
  await w.waitFor((es) => es.some((e) => e.type === 'DELETED'), 'DELETED');
  t.same(w.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED']);

  await a.create('configmaps', 'default', configMap('orphaned'));
  const orphan = await b.delete('configmaps', 'default', 'orphaned', { propagationPolicy: 'Orphan' });
  t.same(orphan.metadata.finalizers, ['orphan'], 'propagationPolicy Orphan leaves the orphan finalizer for the garbage collector');
  t.equal((await failure(b.delete('configmaps', 'default', 'orphaned', { propagationPolicy: 'Sideways' }))).code, 3);
});

t.test('apiserver - label and field selectors, pagination at one revision', async (t) => {
  await a.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paged' } });
  for (let i = 0; i < 25; i++) {
    await [a, b, c][i % 3]!.create('configmaps', 'paged', configMap(`cm-${String(i).padStart(2, '0')}`, { tier: i % 2 === 0 ? 'even' : 'odd', ...(i % 5 === 0 ? { five: 'yes' } : {}) }));
  }
  const names = (items: Obj[]): string[] => items.map((o) => o.metadata.name!);
  t.equal((await b.list('configmaps', 'paged', { labelSelector: 'tier=even' })).items.length, 13);
  t.same(names((await b.list('configmaps', 'paged', { labelSelector: 'tier in (odd),five' })).items), ['cm-05', 'cm-15']);
  t.equal((await b.list('configmaps', 'paged', { labelSelector: '!five,tier!=odd' })).items.length, 10);
  t.same(names((await c.list('configmaps', 'paged', { fieldSelector: 'metadata.name=cm-07' })).items), ['cm-07']);
  t.equal((await c.list('configmaps', '', { fieldSelector: 'metadata.namespace=paged' })).items.length, 25, 'all namespaces, filtered by field');
  t.equal((await c.list('configmaps', 'paged', { fieldSelector: 'metadata.name!=cm-07' })).items.length, 24);

  const p1 = await a.list('configmaps', 'paged', { limit: 10 });
  t.same(names(p1.items), Array.from({ length: 10 }, (_, i) => `cm-${String(i).padStart(2, '0')}`));
  t.equal(p1.remainingItemCount, 15);
  t.not(p1.continue, '');
  await a.create('configmaps', 'paged', configMap('cm-99'));
  await a.delete('configmaps', 'paged', 'cm-12');
  const p2 = await b.list('configmaps', 'paged', { limit: 10, continue: p1.continue });
  t.equal(p2.resourceVersion, p1.resourceVersion, 'later pages are read at the first page\'s revision');
  t.ok(names(p2.items).includes('cm-12'), 'a delete after the first page is not seen');
  const p3 = await c.list('configmaps', 'paged', { limit: 10, continue: p2.continue });
  t.same(names(p3.items), ['cm-20', 'cm-21', 'cm-22', 'cm-23', 'cm-24'], 'a create after the first page is not seen');
  t.equal(p3.continue, '', 'the last page has no continue token');

  const f1 = await a.list('configmaps', 'paged', { limit: 4, labelSelector: 'tier=odd' });
  const f2 = await a.list('configmaps', 'paged', { limit: 4, labelSelector: 'tier=odd', continue: f1.continue });
  t.same(names([...f1.items, ...f2.items]), ['cm-01', 'cm-03', 'cm-05', 'cm-07', 'cm-09', 'cm-11', 'cm-13', 'cm-15'], 'pagination with a selector fills pages');

  const w = c.watch('configmaps', 'paged', { labelSelector: 'watched=yes', resourceVersion: p3.resourceVersion });
  t.teardown(() => w.close());
  const cm = await a.get('configmaps', 'paged', 'cm-03');
  const labelled = await a.update('configmaps', 'paged', { ...cm, metadata: { ...cm.metadata, labels: { ...cm.metadata.labels, watched: 'yes' } } });
  await b.update('configmaps', 'paged', { ...labelled, metadata: { ...labelled.metadata, labels: { tier: 'odd' } } });
  await w.waitFor((es) => es.length >= 2, 'ADDED when it starts matching, DELETED when it stops');
  t.same(w.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED cm-03', 'DELETED cm-03']);
});
