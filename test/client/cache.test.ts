import t from 'tap';
import type { KubeObject } from '../../api/kind.js';
import { applyWatchEvent, CacheStore, compareResourceVersions, namespaceIndex, relistDiff } from '../../client/index.js';

function pod(ns: string, name: string, rv: number, extra: { node?: string; uid?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: ns, name, resourceVersion: String(rv), uid: extra.uid ?? `uid-${ns}-${name}` },
    spec: extra.node === undefined ? {} : { nodeName: extra.node },
  };
}
const byNode = (o: KubeObject): string[] => {
  const n = (o.spec as { nodeName?: string } | undefined)?.nodeName;
  return n === undefined ? [] : [n];
};

t.test('cache store - get, list, namespace and custom indexes follow sets and deletes', async (t) => {
  const s = new CacheStore<KubeObject>({ node: byNode });
  s.set(pod('a', 'p1', 1, { node: 'n1' }));
  s.set(pod('a', 'p2', 2, { node: 'n2' }));
  s.set(pod('b', 'p1', 3, { node: 'n1' }));
  t.equal(s.size, 3);
  t.equal(s.get('a/p1')?.metadata.resourceVersion, '1');
  t.equal(s.getByName('b', 'p1')?.metadata.resourceVersion, '3');
  t.same(s.byIndex(namespaceIndex, 'a').map((o) => o.metadata.name).sort(), ['p1', 'p2']);
  t.same(s.byIndex('node', 'n1').map((o) => o.metadata.namespace).sort(), ['a', 'b']);
  // moving a pod to another node moves it in the index
  const old = s.set(pod('a', 'p1', 4, { node: 'n2' }));
  t.equal(old?.metadata.resourceVersion, '1', 'set returns the replaced object');
  t.same(s.byIndex('node', 'n1').map((o) => o.metadata.namespace), ['b']);
  t.same(s.byIndex('node', 'n2').map((o) => o.metadata.name).sort(), ['p1', 'p2']);
  t.equal(s.delete('b/p1')?.metadata.namespace, 'b');
  t.same(s.byIndex('node', 'n1'), []);
  t.same(s.indexValues('node'), ['n2'], 'empty index values disappear');
  t.same(s.indexValues(namespaceIndex), ['a']);
  t.equal(s.delete('b/p1'), undefined);
  t.throws(() => s.byIndex('nope', 'x'), /no index "nope"/);
  t.throws(() => new CacheStore({ namespace: byNode }), /built in/);
  s.replace([pod('c', 'x', 9)]);
  t.same(s.keys(), ['c/x']);
  t.same(s.byIndex('node', 'n2'), []);
});

t.test('cache store - cluster-scoped objects are keyed by name', async (t) => {
  const s = new CacheStore<KubeObject>();
  s.set({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', resourceVersion: '1' } });
  t.ok(s.get('n1'));
  t.ok(s.getByName(undefined, 'n1'));
  t.same(s.byIndex(namespaceIndex, '').length, 1);
});

t.test('relist diff - deletes during the gap keep their last known state', async (t) => {
  const cached = new Map([
    ['a/kept', pod('a', 'kept', 1)],
    ['a/changed', pod('a', 'changed', 2)],
    ['a/gone', pod('a', 'gone', 3)],
    ['a/recreated', pod('a', 'recreated', 4, { uid: 'old' })],
  ]);
  const listed = [pod('a', 'kept', 1), pod('a', 'changed', 7), pod('a', 'recreated', 8, { uid: 'new' }), pod('a', 'new', 9)];
  const events = relistDiff(cached, listed);
  t.same(
    events.map((e) => `${e.type} ${e.object.metadata.name}@${e.object.metadata.resourceVersion}`),
    ['delete gone@3', 'update changed@7', 'delete recreated@4', 'add recreated@8', 'add new@9'],
  );
  const upd = events.find((e) => e.type === 'update');
  t.equal(upd?.type === 'update' ? upd.old.metadata.resourceVersion : '', '2', 'update carries the old object');
  t.same(relistDiff(new Map(), []), []);
  t.same(relistDiff(cached, [...cached.values()]), [], 'nothing changed, nothing delivered');
});

t.test('watch events - add, update, delete, and stale events ignored', async (t) => {
  const s = new CacheStore<KubeObject>();
  t.same(applyWatchEvent(s, 'ADDED', pod('a', 'p', 5))?.type, 'add');
  const u = applyWatchEvent(s, 'MODIFIED', pod('a', 'p', 6));
  t.equal(u?.type, 'update');
  t.equal(u?.type === 'update' ? u.old.metadata.resourceVersion : '', '5');
  t.equal(applyWatchEvent(s, 'MODIFIED', pod('a', 'p', 6)), undefined, 'same revision again: nothing');
  t.equal(applyWatchEvent(s, 'MODIFIED', pod('a', 'p', 4)), undefined, 'older revision: nothing');
  t.equal(s.get('a/p')?.metadata.resourceVersion, '6');
  const d = applyWatchEvent(s, 'DELETED', pod('a', 'p', 7));
  t.equal(d?.type, 'delete');
  t.equal(d?.object.metadata.resourceVersion, '7');
  t.equal(s.size, 0);
  t.equal(applyWatchEvent(s, 'DELETED', pod('a', 'p', 8)), undefined, 'delete of an unknown object: nothing');
  t.equal(compareResourceVersions('10', '9'), 1, 'revisions compare as numbers, not strings');
  t.equal(compareResourceVersions('x', '9'), undefined);
});
