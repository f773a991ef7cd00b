import t from 'tap';
import { startInProcess } from './helpers/in-process-server.js';
import { failure } from './helpers/api-conn.js';

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
  t.same(ns.items.map((n) => n.metadata.name).sort(), ['default', 'kube-public', 'kube-system']);
});
