// CRUD and watch for every kind, optimistic concurrency, validation and malformed requests,
// against a real 3-process control plane (store member + API server per process). Every
// subtest uses different API servers for writes, reads and watches.
import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { registry } from '../../api/index.js';
import { ControlPlaneCluster } from './helpers/control-plane-cluster.js';
import { ApiConn, failure } from './helpers/api-conn.js';
import type { Obj } from './helpers/api-conn.js';
import { configMap, pod, SAMPLES } from './helpers/samples.js';

const OK_CODES = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10 } as const;

const cp = await ControlPlaneCluster.start(t);
const [a, b, c] = cp.names.map((n) => new ApiConn(cp.apiEndpoint(n))) as [ApiConn, ApiConn, ApiConn];
t.teardown(() => [a, b, c].forEach((x) => x.close()));

/** The key's value with etcdctl, or undefined when the key is absent. */
async function stored(key: string): Promise<Obj | undefined> {
  const out = await cp.ctl(['get', key, '--print-value-only']);
  return out.trim() === '' ? undefined : (JSON.parse(out) as Obj);
}

t.test('apiserver - CRUD and watch for every kind', async (t) => {
  for (const kind of registry.kinds) {
    await t.test(kind.resource, async (t) => {
      const sample = SAMPLES[kind.resource];
      if (sample === undefined) {
        t.fail(`no sample object for ${kind.resource}: add one to test/apiserver/helpers/samples.ts`);
        return;
      }
      const ns = kind.namespaced ? 'default' : '';
      const name = `sample-${kind.singular}`;
      const w = c.watch(kind.resource, ns, { fieldSelector: `metadata.name=${name}` });
      t.teardown(() => w.close());
      const created = await a.create(kind.resource, ns, { apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name }, ...sample });
      t.equal(created.metadata.name, name);
      t.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
      t.match(created.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      t.match(created.metadata.resourceVersion, /^\d+$/);
      const key = kind.namespaced ? `/registry/${kind.resource}/default/${name}` : `/registry/${kind.resource}/${name}`;
      t.equal((await stored(key))?.metadata.uid, created.metadata.uid, `etcdctl get ${key} shows it`);

      t.same(await b.get(kind.resource, ns, name), created, 'read through another API server');
      const listed = await c.list(kind.resource, ns);
      t.ok(listed.items.some((o) => o.metadata.uid === created.metadata.uid), 'listed');
      t.ok(Number(listed.resourceVersion) >= Number(created.metadata.resourceVersion));

      const updated = await b.update(kind.resource, ns, { ...created, metadata: { ...created.metadata, labels: { ...created.metadata.labels, touched: 'yes' } } });
      t.equal(updated.metadata.labels?.touched, 'yes');
      t.ok(Number(updated.metadata.resourceVersion) > Number(created.metadata.resourceVersion), 'a new resourceVersion');

      const deleted = await a.delete(kind.resource, ns, name);
      if (kind.resource === 'namespaces') {
        t.ok(deleted.metadata.deletionTimestamp, 'a namespace is only marked');
        t.equal((deleted.status as { phase?: string }).phase, 'Terminating');
        t.same((deleted.spec as { finalizers?: string[] }).finalizers, ['kubernetes']);
        await w.waitFor((es) => es.length >= 3, 'ADDED, MODIFIED, MODIFIED');
        t.same(w.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'MODIFIED']);
        // The namespace controller (issue 6) empties spec.finalizers; then it goes.
        await b.update('namespaces', '', { ...deleted, spec: { finalizers: [] } }, { subresource: 'finalize' });
        await w.waitFor((es) => es.some((e) => e.type === 'DELETED'), 'DELETED');
      } else {
        t.equal((await failure(b.get(kind.resource, ns, name))).code, OK_CODES.NOT_FOUND, 'gone');
        await w.waitFor((es) => es.length >= 3, 'ADDED, MODIFIED, DELETED');
        t.same(w.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
      }
      t.equal(await stored(key), undefined, 'the key is gone from the store');
      t.same(w.events[0]!.object, created, 'the watch saw the created object');
    });
  }
});

t.test('apiserver - optimistic concurrency: a stale resourceVersion is refused', async (t) => {
  const v1 = await a.create('configmaps', 'default', configMap('occ'));
  const v2 = await b.update('configmaps', 'default', { ...v1, data: { k: 'second' } });
  const e = await failure(c.update('configmaps', 'default', { ...v1, data: { k: 'stale' } }));
  t.equal(e.code, OK_CODES.ABORTED);
  t.equal(e.details, 'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again');
  t.same((await a.get('configmaps', 'default', 'occ')).data, { k: 'second' }, 'the stale write changed nothing');
  const pinned = await failure(c.patch('configmaps', 'default', 'occ', { metadata: { resourceVersion: v1.metadata.resourceVersion }, data: { k: 'x' } }));
  t.equal(pinned.code, OK_CODES.ABORTED, 'a patch pinned to a stale resourceVersion too');
  const patched = await c.patch('configmaps', 'default', 'occ', { data: { extra: 'y', k: null } });
  t.same(patched.data, { extra: 'y' }, 'merge patch: null removes a key');
  t.ok(Number(patched.metadata.resourceVersion) > Number(v2.metadata.resourceVersion));
  const same = await a.update('configmaps', 'default', patched);
  t.equal(same.metadata.resourceVersion, patched.metadata.resourceVersion, 'an update that changes nothing writes nothing');
  const d1 = await failure(a.delete('configmaps', 'default', 'occ', { preconditionResourceVersion: v1.metadata.resourceVersion! }));
  t.equal(d1.code, OK_CODES.ABORTED, 'delete precondition resourceVersion');
  const d2 = await failure(a.delete('configmaps', 'default', 'occ', { preconditionUid: 'not-the-uid' }));
  t.equal(d2.code, OK_CODES.ABORTED, 'delete precondition uid');
  await a.delete('configmaps', 'default', 'occ', { preconditionUid: v1.metadata.uid! });
});

t.test('apiserver - validation errors list every field path and store nothing', async (t) => {
  const bad = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad-pod' }, spec: { restartPolicy: 'Sometimes', containers: [{ name: 'c' }, { image: 'x' }] } };
  const e = await failure(a.create('pods', 'default', bad));
  t.equal(e.code, OK_CODES.INVALID_ARGUMENT);
  t.match(e.details, /^Pod "bad-pod" is invalid: /);
  t.match(e.details, /spec\.containers\[0\]\.image: Required value/);
  t.match(e.details, /spec\.containers\[1\]\.name: Required value/);
  t.match(e.details, /spec\.restartPolicy: Unsupported value: "Sometimes"/);
  const fields = e.causes.map((x) => x.field);
  t.ok(fields.includes('spec.containers[0].image') && fields.includes('spec.containers[1].name') && fields.includes('spec.restartPolicy'), 'shoal-causes lists the fields');
  t.equal(await stored('/registry/pods/default/bad-pod'), undefined, 'nothing stored');

  const unknown = await failure(a.create('configmaps', 'default', { ...configMap('unknown-field'), spec: { surprise: true } }));
  t.equal(unknown.code, OK_CODES.INVALID_ARGUMENT, 'an unknown field is refused, not dropped');
  t.equal(await stored('/registry/configmaps/default/unknown-field'), undefined);

  const good = await a.create('configmaps', 'default', configMap('valid-then-bad'));
  const badUpdate = await failure(b.update('configmaps', 'default', { ...good, metadata: { ...good.metadata, labels: { 'bad key!': 'x' } } }));
  t.equal(badUpdate.code, OK_CODES.INVALID_ARGUMENT);
  t.match(badUpdate.details, /metadata\.labels/);
  t.same((await stored('/registry/configmaps/default/valid-then-bad'))?.metadata.labels, good.metadata.labels, 'the stored object is unchanged');

  const dry = await a.create('configmaps', 'default', configMap('dry'), { dryRun: true });
  t.equal(dry.metadata.name, 'dry');
  t.equal(await stored('/registry/configmaps/default/dry'), undefined, 'dry_run stores nothing');
});

t.test('apiserver - malformed requests get clear errors and write nothing', async (t) => {
  const before = await cp.ctl(['get', '/registry/', '--prefix', '--keys-only']);
  const cases: [string, () => Promise<unknown>, number, RegExp][] = [
    ['bad JSON', () => a.create('configmaps', 'default', Buffer.from('{"apiVersion": "v1", "kind": ')), OK_CODES.INVALID_ARGUMENT, /not valid JSON/],
    ['not UTF-8', () => a.create('configmaps', 'default', Buffer.from([0xff, 0xfe, 0x7b])), OK_CODES.INVALID_ARGUMENT, /UTF-8/],
    ['an array', () => a.create('configmaps', 'default', Buffer.from('[1,2]')), OK_CODES.INVALID_ARGUMENT, /must be a JSON object, got an array/],
    ['empty body', () => a.create('configmaps', 'default', Buffer.alloc(0)), OK_CODES.INVALID_ARGUMENT, /empty/],
    ['oversized body', () => a.create('configmaps', 'default', configMap('huge', {}, { blob: 'x'.repeat(1_700_000) })), OK_CODES.RESOURCE_EXHAUSTED, /too large|larger than max/],
    ['unknown resource', () => a.create('foos', 'default', configMap('x')), OK_CODES.NOT_FOUND, /^the server doesn't have a resource type "foos"$/],
    ['kind mismatch', () => a.create('configmaps', 'default', pod('kind-mismatch')), OK_CODES.INVALID_ARGUMENT, /kind "Pod" does not match the resource "configmaps"/],
    ['apiVersion mismatch', () => a.create('configmaps', 'default', { ...configMap('v'), apiVersion: 'apps/v1' }), OK_CODES.INVALID_ARGUMENT, /apiVersion "apps\/v1" does not match/],
    ['namespace mismatch', () => a.create('configmaps', 'default', { ...configMap('m'), metadata: { name: 'm', namespace: 'kube-system' } }), OK_CODES.INVALID_ARGUMENT, /namespace of the provided object \(kube-system\) does not match the namespace sent on the request \(default\)/],
    ['name mismatch on update', () => a.update('configmaps', 'default', configMap('one') as Obj, { name: 'two' }), OK_CODES.INVALID_ARGUMENT, /name of the object \(one\) does not match the name on the request \(two\)/],
    ['invalid name', () => a.create('configmaps', 'default', configMap('Not_A_Name')), OK_CODES.INVALID_ARGUMENT, /metadata\.name: Invalid value: "Not_A_Name"/],
    ['a name with a slash', () => a.get('configmaps', 'default', '../secrets/x'), OK_CODES.INVALID_ARGUMENT, /invalid name "..\/secrets\/x"/],
    ['no name', () => a.create('configmaps', 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }), OK_CODES.INVALID_ARGUMENT, /metadata\.name: Required value/],
    ['resourceVersion on create', () => a.create('configmaps', 'default', { ...configMap('rv'), metadata: { name: 'rv', resourceVersion: '5' } }), OK_CODES.INVALID_ARGUMENT, /resourceVersion should not be set/],
    ['missing namespace', () => a.create('configmaps', 'nope', configMap('lost')), OK_CODES.NOT_FOUND, /namespaces "nope" not found/],
    ['bad label selector', () => a.list('configmaps', 'default', { labelSelector: 'a in (' }), OK_CODES.INVALID_ARGUMENT, /label selector/],
    ['unsupported field selector', () => a.list('configmaps', 'default', { fieldSelector: 'spec.foo=bar' }), OK_CODES.INVALID_ARGUMENT, /field label not supported: "spec.foo"/],
    ['bad continue token', () => a.list('configmaps', 'default', { continue: 'garbage' }), OK_CODES.INVALID_ARGUMENT, /continue token/],
    ['bad patch JSON', () => a.patch('configmaps', 'default', 'whatever', Buffer.from('{nope')), OK_CODES.INVALID_ARGUMENT, /not valid JSON/],
  ];
  for (const [what, p, code, message] of cases) {
    const e = await failure(p());
    t.equal(e.code, code, `${what}: code`);
    t.match(e.details, message, `${what}: ${e.details.slice(0, 160)}`);
  }
  // Bytes that are not a CreateRequest at all: field 1 (resource, a string) claims 100 bytes
  // and the message ends after 3 — grpc-js refuses to decode it before any of our code runs.
  const raw = new grpc.Client(cp.apiEndpoint(cp.names[0]!), grpc.credentials.createInsecure());
  t.teardown(() => raw.close());
  const garbage = await new Promise<grpc.ServiceError | undefined>((resolve) => {
    raw.makeUnaryRequest(
      '/shoal.api.v1.Api/Create',
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from([0x0a, 0x64, 0x61, 0x62, 0x63]),
      { deadline: Date.now() + 10_000 },
      (err) => resolve(err ?? undefined),
    );
  });
  t.ok(garbage !== undefined, 'a request that is not protobuf fails');
  t.not(garbage?.code, grpc.status.OK);
  t.match(garbage?.details ?? '', /deserializ|parse|invalid/i, `bad protobuf: ${garbage?.details}`);
  t.equal(await cp.ctl(['get', '/registry/', '--prefix', '--keys-only']), before, 'no key was written');
});

t.test('apiserver - generateName, system namespaces, namespace lifecycle', async (t) => {
  const made = await a.create('configmaps', 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' }, data: {} });
  t.match(made.metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    const e = await failure(b.delete('namespaces', '', ns));
    t.equal(e.code, OK_CODES.FAILED_PRECONDITION, `${ns} cannot be deleted`);
    t.match(e.details, /this namespace may not be deleted/);
  }
  await a.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
  await a.create('configmaps', 'doomed', configMap('inside'));
  await b.delete('namespaces', '', 'doomed');
  const e = await failure(c.create('configmaps', 'doomed', configMap('late')));
  t.equal(e.code, OK_CODES.FAILED_PRECONDITION);
  t.match(e.details, /unable to create new content in namespace doomed because it is being terminated/);
  t.equal((await failure(a.create('configmaps', 'default', configMap(made.metadata.name!)))).code, OK_CODES.ALREADY_EXISTS);
});
