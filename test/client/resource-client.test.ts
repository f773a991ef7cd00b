// Typed CRUD, list, watch and the cluster calls against a real API server in this process (over
// the in-memory storage), through ShoalClient.
import t from 'tap';
import type { Test } from 'tap';
import type { KubeObject } from '../../api/kind.js';
import type { Pod, PodInput } from '../../api/index.js';
import { ApiErrorReason, isConflict, isNotFound, ShoalClient } from '../../client/index.js';
import type { WatchEvent } from '../../client/index.js';
import { ApiServers } from './helpers/api-servers.js';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}
const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(labels === undefined ? {} : { labels }) },
  data,
});
const pod = (name: string): PodInput => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

async function setup(t: Test): Promise<{ servers: ApiServers; client: ShoalClient }> {
  const servers = await ApiServers.start(t, 1);
  const client = new ShoalClient({ servers: servers.addresses, namespace: 'default' });
  t.teardown(() => client.close());
  return { servers, client };
}

t.test('resource client - create, get, update, conflict, patch, delete', async (t) => {
  const { client } = await setup(t);
  const cms = client.resource<ConfigMap>('configmaps');
  const created = await cms.create(cm('a', { k: 'v' }));
  t.ok(created.metadata.uid, 'the server set a uid');
  t.equal(created.metadata.namespace, 'default');
  const got = await cms.get('a');
  t.same(got, created);
  await t.rejects(cms.create(cm('a')), { name: 'ApiError', reason: ApiErrorReason.AlreadyExists });

  const updated = await cms.update({ ...got, data: { k: 'v2' } });
  t.not(updated.metadata.resourceVersion, got.metadata.resourceVersion);
  const stale = await cms.update({ ...got, data: { k: 'v3' } }).catch((e: unknown) => e);
  t.ok(isConflict(stale), 'a stale resourceVersion is a Conflict');
  t.match(stale, { message: /the object has been modified/ });

  const patched = await cms.patch('a', { data: { extra: 'x' }, metadata: { labels: { app: 'web' } } });
  t.same(patched.data, { k: 'v2', extra: 'x' });
  t.same(patched.metadata.labels, { app: 'web' });

  await t.rejects(cms.delete('a', { preconditions: { uid: 'not-the-uid' } }), { name: 'ApiError', reason: ApiErrorReason.Conflict });
  const gone = await cms.delete('a', { preconditions: { uid: created.metadata.uid! } });
  t.equal(gone.metadata.name, 'a');
  const nf = await cms.get('a').catch((e: unknown) => e);
  t.ok(isNotFound(nf));
  await t.rejects(cms.delete('a'), { name: 'ApiError', reason: ApiErrorReason.NotFound });
  await t.rejects(client.resource('widgets').list(), { name: 'ApiError', reason: ApiErrorReason.NotFound });
});

t.test('resource client - validation errors carry every field error; nothing stored', async (t) => {
  const { client } = await setup(t);
  const pods = client.resource<Pod>('pods');
  const bad = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }], restartPolicy: 'Sometimes' } } as unknown as Pod;
  const err = await pods.create(bad).catch((e: unknown) => e);
  t.match(err, { name: 'ApiError', reason: ApiErrorReason.Invalid });
  const fields = (err as { causes: { field: string }[] }).causes.map((c) => c.field).sort();
  t.same(fields, ['spec.containers[0].image', 'spec.restartPolicy']);
  t.same((await pods.list()).items, []);
});

t.test('resource client - updateWithRetry wins against concurrent writers', async (t) => {
  const { client } = await setup(t);
  const cms = client.resource<ConfigMap>('configmaps');
  await cms.create(cm('counter', { n: '0' }));
  const bump = (c: ConfigMap): ConfigMap => ({ ...c, data: { n: String(Number(c.data?.['n'] ?? '0') + 1) } });
  await Promise.all(Array.from({ length: 8 }, () => cms.updateWithRetry('counter', bump, { maxAttempts: 50 })));
  t.equal((await cms.get('counter')).data?.['n'], '8', 'every increment landed exactly once');
  const same = await cms.updateWithRetry('counter', () => undefined);
  t.equal(same.data?.['n'], '8', 'no change, no write');
});

t.test('resource client - label selectors, pagination and listAll', async (t) => {
  const { client } = await setup(t);
  const cms = client.resource<ConfigMap>('configmaps');
  for (let i = 0; i < 7; i++) await cms.create(cm(`c${i}`, {}, { tier: i % 2 === 0 ? 'even' : 'odd' }));
  await client.resource<ConfigMap>('configmaps', 'kube-system').create(cm('elsewhere'));
  const even = await cms.list({ labelSelector: 'tier=even' });
  t.same(even.items.map((o) => o.metadata.name), ['c0', 'c2', 'c4', 'c6']);
  const notIn = await cms.list({ labelSelector: 'tier notin (even)' });
  t.equal(notIn.items.length, 3);
  const page1 = await cms.list({ limit: 3 });
  t.equal(page1.items.length, 3);
  t.not(page1.continue, '');
  t.equal(page1.remainingItemCount, 4);
  const all = await cms.listAll({ limit: 3 });
  t.same(all.items.map((o) => o.metadata.name), ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
  t.equal(all.resourceVersion, (await cms.list({ limit: 1, resourceVersion: all.resourceVersion })).resourceVersion, 'one snapshot revision');
  const everywhere = await client.resource<ConfigMap>('configmaps', '').listAll();
  t.equal(everywhere.items.length, 8, '"" lists all namespaces');
  t.same(
    (await cms.list({ fieldSelector: 'metadata.name=c3' })).items.map((o) => o.metadata.name),
    ['c3'],
  );
});

t.test('resource client - pods: bind, field selector on spec.nodeName, status subresource', async (t) => {
  const { client } = await setup(t);
  const pods = client.resource('pods'); // typed from api/: ResourceClient<Pod, PodInput>
  await pods.create(pod('p1'));
  await pods.create(pod('p2'));
  await pods.bind('p1', 'node-a');
  await t.rejects(pods.bind('p1', 'node-b'), { name: 'ApiError', reason: ApiErrorReason.Conflict, message: /already assigned/ });
  const onA = await pods.list({ fieldSelector: 'spec.nodeName=node-a' });
  t.same(onA.items.map((p) => p.metadata.name), ['p1']);
  const unbound = await pods.list({ fieldSelector: 'spec.nodeName=' });
  t.same(unbound.items.map((p) => p.metadata.name), ['p2']);
  const running = await pods.patchStatus('p1', { status: { phase: 'Running' } });
  t.equal(running.status.phase, 'Running');
  const again = await pods.get('p1');
  const withStatus = await pods.updateStatus({ ...again, status: { ...again.status, phase: 'Succeeded' } });
  t.equal(withStatus.status.phase, 'Succeeded');
  t.same((await pods.list({ fieldSelector: 'status.phase=Succeeded' })).items.map((p) => p.metadata.name), ['p1']);
});

t.test('resource client - watch from a list revision sees every change, bookmarks, and closes', async (t) => {
  const { client } = await setup(t);
  const cms = client.resource<ConfigMap>('configmaps');
  await cms.create(cm('before'));
  const list = await cms.list();
  const w = cms.watch({ resourceVersion: list.resourceVersion });
  const events: WatchEvent<ConfigMap>[] = [];
  const done = (async () => {
    for await (const ev of w) {
      events.push(ev);
      if (ev.type === 'BOOKMARK' && events.some((e) => e.type === 'DELETED')) break;
    }
  })();
  const a = await cms.create(cm('a'));
  await cms.update({ ...a, data: { x: '1' } });
  await cms.delete('a');
  // A bookmark comes when the store's revision moves past the watcher's last event: a write to
  // another resource moves it.
  await client.resource('namespaces', '').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } });
  await done;
  const changes = events.flatMap((e) => (e.type === 'BOOKMARK' ? [] : [e]));
  t.same(changes.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED a', 'MODIFIED a', 'DELETED a']);
  const last = events[events.length - 1]!;
  t.equal(last.type, 'BOOKMARK');
  t.ok(Number(last.resourceVersion) > Number(changes[2]!.resourceVersion), 'the bookmark is past the delete');
  t.equal(w.resourceVersion, last.resourceVersion);

  // without a revision: the current state as ADDED, then changes
  const w2 = cms.watch();
  const first = await w2.next();
  t.match(first.value, { type: 'ADDED', object: { metadata: { name: 'before' } } });
  w2.close();
  t.same(await w2.next(), { done: true, value: undefined });
});

t.test('resource client - discovery, version, component statuses', async (t) => {
  const { client } = await setup(t);
  const resources = await client.discovery();
  const pods = resources.find((r) => r.name === 'pods');
  t.match(pods, { kind: 'Pod', namespaced: true, apiVersion: 'v1' });
  t.ok(pods?.subresources.includes('binding'));
  const v = await client.version();
  t.match(v.nodeVersion, /^v\d+/);
  const cs = await client.componentStatuses();
  t.ok(cs.some((c) => c.name.startsWith('api-server')), JSON.stringify(cs.map((c) => c.name)));
  t.ok(Array.isArray(await client.members()));
});
