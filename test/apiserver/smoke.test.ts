import t from 'tap';
import { startInProcess } from './helpers/in-process-server.js';
import { failure } from './helpers/api-conn.js';
import { registry } from '../../api/index.js';
import type { DiscoveryResponse } from '../../proto/gen/shoal/api/v1/api.js';
import type { AuditRecord } from '../../control-plane/apiserver/index.js';

t.test('apiserver - in-process smoke: create, get, list, watch, update, delete', async (t) => {
  const { conn } = await startInProcess(t);
  const w = conn.watch('configmaps', 'default');
  const cm = await conn.create('configmaps', 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } });
  t.equal(cm.metadata.name, 'a');
  t.ok(cm.metadata.uid);
  const got = await conn.get('configmaps', 'default', 'a');
  t.same(got, cm);
  const list = await conn.list('configmaps', '');
  t.equal(list.items.length, 1);
  const upd = await conn.update('configmaps', 'default', { ...got, data: { k: 'v2' } });
  t.not(upd.metadata.resourceVersion, got.metadata.resourceVersion);
  const stale = await failure(conn.update('configmaps', 'default', { ...got, data: { k: 'v3' } }));
  t.equal(stale.code, 10);
  t.match(stale.details, /the object has been modified/);
  await conn.delete('configmaps', 'default', 'a');
  await w.waitFor((es) => es.some((e) => e.type === 'DELETED'), 'DELETED');
  t.same(w.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  w.close();
  const ns = await conn.list('namespaces', '');
  t.same(ns.items.map((n) => n.metadata.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
});

t.test('apiserver - in-process: watch errors, discovery, namespace finalizers only through finalize', async (t) => {
  const { conn } = await startInProcess(t);
  const unknown = await conn.watch('foos', '').waitEnd();
  t.equal(unknown.code, 5);
  t.equal(unknown.details, 'the server doesn\'t have a resource type "foos"');
  const badSelector = await conn.watch('pods', 'default', { labelSelector: 'a in (' }).waitEnd();
  t.equal(badSelector.code, 3);
  const tooOld = await conn.watch('pods', 'default', { resourceVersion: '1' }).waitEnd();
  t.equal(tooOld.code, 11);
  const ns = await conn.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fin' } });
  const same = await conn.update('namespaces', '', { ...ns, spec: { finalizers: [] } });
  t.same((same.spec as { finalizers: string[] }).finalizers, ['kubernetes'], 'an update of the namespace keeps spec.finalizers');
  const fin = await conn.update('namespaces', '', { ...ns, spec: { finalizers: [] } }, { subresource: 'finalize' });
  t.same((fin.spec as { finalizers: string[] }).finalizers, [], 'the finalize subresource changes them');
  await conn.delete('namespaces', '', 'fin');
  t.equal((await failure(conn.get('namespaces', '', 'fin'))).code, 5, 'a namespace without finalizers goes at once');
});

t.test('apiserver - in-process: discovery lists every kind with its subresources', async (t) => {
  const { conn } = await startInProcess(t);
  const res = await new Promise<DiscoveryResponse>((resolve, reject) => conn.api.discovery({}, (e, r) => (e !== null ? reject(e) : resolve(r))));
  const pods = res.resources.find((r) => r.name === 'pods');
  t.match(pods, { kind: 'Pod', apiVersion: 'v1', namespaced: true, singularName: 'pod', shortNames: ['po'], subresources: ['status', 'binding'] });
  t.match(res.resources.find((r) => r.name === 'namespaces'), { namespaced: false, subresources: ['status', 'finalize'] });
  t.equal(res.resources.length, registry.kinds.length);
});

t.test('apiserver - in-process: a list at a future resourceVersion is UNAVAILABLE (retry)', async (t) => {
  const { conn } = await startInProcess(t);
  const e = await failure(conn.list('configmaps', 'default', { resourceVersion: '999999' }));
  t.equal(e.code, 14);
  t.match(e.details, /too large resource version: 999999/);
  const bad = await failure(conn.list('configmaps', 'default', { resourceVersion: 'abc' }));
  t.equal(bad.code, 3);
});

t.test('apiserver - in-process: the audit seam sees every unary request with its user and outcome', async (t) => {
  const records: AuditRecord[] = [];
  const { conn } = await startInProcess(t, { options: { audit: (r) => records.push(r) } });
  await conn.create('configmaps', 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'audited' } });
  await failure(conn.get('configmaps', 'default', 'missing'));
  await failure(conn.get('foos', 'default', 'x'));
  t.match(records, [
    { target: { verb: 'create', resource: 'configmaps', namespace: 'default' }, user: { name: 'system:anonymous' }, code: 'OK' },
    { target: { verb: 'get', name: 'missing' }, code: 'NOT_FOUND' },
    { target: { resource: 'foos' }, user: undefined, code: 'NOT_FOUND' },
  ]);
  t.ok(records.every((r) => r.latencyMs >= 0));
});

t.test('apiserver - in-process: a value transformer seals what the store holds; the API serves plaintext', async (t) => {
  const flip = (b: Uint8Array): Uint8Array => Uint8Array.from(b, (x) => x ^ 0x5a);
  const { conn, storage } = await startInProcess(t, {
    options: { transformer: { toStorage: (r, b) => (r === 'secrets' ? flip(b) : b), fromStorage: (r, b) => (r === 'secrets' ? flip(b) : b) } },
  });
  const w = conn.watch('secrets', 'default');
  t.teardown(() => w.close());
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sealed' }, type: 'Opaque', data: { password: Buffer.from('s3cret').toString('base64') } };
  const made = await conn.create('secrets', 'default', secret);
  const raw = await storage.get('/registry/secrets/default/sealed');
  t.notOk(Buffer.from(raw!.value).toString('utf8').includes('password'), 'the store holds the sealed bytes');
  t.same((await conn.get('secrets', 'default', 'sealed')).data, secret.data);
  t.same((await conn.list('secrets', 'default')).items.map((o) => o.metadata.uid), [made.metadata.uid]);
  const upd = await conn.update('secrets', 'default', { ...made, data: { password: Buffer.from('n3w').toString('base64') } });
  await w.waitFor((es) => es.length >= 2, 'ADDED, MODIFIED');
  t.same(w.events[1]!.object.data, upd.data, 'watchers get plaintext');
});
