// Admission plugins of issue 5 through the gRPC API of in-process API servers (in-memory
// storage): LimitRange defaulting and bounds, ResourceQuota refusals and the compare-and-swap of
// status.used across two API servers sharing one store, ServiceAccount and toleration defaults.
import t from 'tap';
import { MemoryStorage } from '../../control-plane/apiserver/storage/index.js';
import type { Storage } from '../../control-plane/apiserver/storage/index.js';
import { failure } from './helpers/api-conn.js';
import type { Obj } from './helpers/api-conn.js';
import { startInProcess } from './helpers/in-process-server.js';

const RESOURCE_EXHAUSTED = 8;
const INVALID_ARGUMENT = 3;
const FAILED_PRECONDITION = 9;

const s = await startInProcess(t);
const api = s.conn;

let nsCounter = 0;
async function namespace(prefix: string): Promise<string> {
  const name = `${prefix}-${++nsCounter}`;
  await api.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

const pod = (name: string, spec: Record<string, unknown> = {}, resources?: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'app', image: 'busybox', ...(resources ? { resources } : {}) }], ...spec },
});
const quota = (name: string, hard: Record<string, string>): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard } });
const limitRange = (name: string, limits: unknown[]): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name }, spec: { limits } });
const containerOf = (p: Obj): { resources?: unknown } => (p.spec as { containers: { resources?: unknown }[] }).containers[0]!;

t.test('admission - LimitRange: default container memory 512Mi (the seed example)', async (t) => {
  const ns = await namespace('lr');
  await api.create('limitranges', ns, limitRange('mem', [{ type: 'Container', default: { memory: '512Mi' } }]));
  const p = await api.create('pods', ns, pod('web'));
  t.same(containerOf(p).resources, { limits: { memory: '512Mi' }, requests: { memory: '512Mi' } }, 'limit and request defaulted');
  t.match(p.metadata.annotations?.['kubernetes.io/limit-ranger'], /memory request for container app; memory limit for container app/);
  const stored = await api.get('pods', ns, 'web');
  t.same(containerOf(stored).resources, { limits: { memory: '512Mi' }, requests: { memory: '512Mi' } }, 'stored with the defaults');
  const own = await api.create('pods', ns, pod('own', {}, { limits: { memory: '64Mi' } }));
  t.same(containerOf(own).resources, { limits: { memory: '64Mi' }, requests: { memory: '64Mi' } }, 'a stated limit is kept');
});

t.test('admission - LimitRange: max exceeded is refused naming the field', async (t) => {
  const ns = await namespace('lrmax');
  await api.create('limitranges', ns, limitRange('bounds', [{ type: 'Container', max: { memory: '1Gi' }, min: { cpu: '10m' }, default: { memory: '256Mi' }, defaultRequest: { cpu: '50m' } }]));
  const e = await failure(api.create('pods', ns, pod('big', {}, { limits: { memory: '2Gi' } })));
  t.equal(e.code, INVALID_ARGUMENT);
  t.equal(e.details, 'pods "big" is forbidden: spec.containers[0].resources.limits[memory]: maximum memory usage per Container is 1Gi, but limit is 2Gi');
  t.match(e.causes, [{ field: 'spec.containers[0].resources.limits[memory]' }]);
  await t.rejects(api.get('pods', ns, 'big'), { code: 5 }, 'nothing stored');
  const ok = await api.create('pods', ns, pod('fits'));
  t.same(containerOf(ok).resources, { limits: { memory: '256Mi' }, requests: { cpu: '50m', memory: '256Mi' } });
});

t.test('admission - ResourceQuota: the (N+1)th pod is refused naming what is exceeded', async (t) => {
  const ns = await namespace('rq');
  await api.create('resourcequotas', ns, quota('pods-quota', { pods: '2' }));
  await api.create('pods', ns, pod('p1'));
  await api.create('pods', ns, pod('p2'));
  const e = await failure(api.create('pods', ns, pod('p3')));
  t.equal(e.code, RESOURCE_EXHAUSTED);
  t.equal(e.details, 'pods "p3" is forbidden: exceeded quota: pods-quota, requested: pods=1, used: pods=2, limited: pods=2');
  const q = await api.get('resourcequotas', ns, 'pods-quota');
  t.same(q.status, { hard: { pods: '2' }, used: { pods: '2' } }, 'status.used charged by admission');
  const dry = await failure(api.create('pods', ns, pod('p4'), { dryRun: true }));
  t.equal(dry.code, RESOURCE_EXHAUSTED, 'dry run is checked too');
  await api.create('configmaps', ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
  t.pass('objects the quota does not count are admitted');
});

t.test('admission - ResourceQuota: sums of requests and limits with LimitRange defaults', async (t) => {
  const ns = await namespace('rqmem');
  await api.create('limitranges', ns, limitRange('mem', [{ type: 'Container', default: { memory: '512Mi' } }]));
  await api.create('resourcequotas', ns, quota('compute', { 'requests.memory': '1Gi', 'limits.memory': '1Gi', 'count/configmaps': '1' }));
  await api.create('pods', ns, pod('a'));
  const dry = await api.create('pods', ns, pod('dry'), { dryRun: true });
  t.equal(dry.metadata.name, 'dry', 'a dry run fits and is not charged');
  await api.create('pods', ns, pod('b'));
  const e = await failure(api.create('pods', ns, pod('c')));
  t.equal(e.code, RESOURCE_EXHAUSTED);
  t.equal(e.details, 'pods "c" is forbidden: exceeded quota: compute, requested: limits.memory=512Mi,requests.memory=512Mi, used: limits.memory=1Gi,requests.memory=1Gi, limited: limits.memory=1Gi,requests.memory=1Gi');
  await api.create('configmaps', ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' } });
  const cm = await failure(api.create('configmaps', ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two' } }));
  t.equal(cm.details, 'configmaps "two" is forbidden: exceeded quota: compute, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1');
});

t.test('admission - ResourceQuota: a quota created after objects counts them first; unstated requests are refused', async (t) => {
  const ns = await namespace('rqlate');
  await api.create('pods', ns, pod('early'));
  await api.create('resourcequotas', ns, quota('late', { pods: '1' }));
  const e = await failure(api.create('pods', ns, pod('second')));
  t.equal(e.details, 'pods "second" is forbidden: exceeded quota: late, requested: pods=1, used: pods=1, limited: pods=1');
  const ns2 = await namespace('rqcpu');
  await api.create('resourcequotas', ns2, quota('cpu', { 'requests.cpu': '1' }));
  const u = await failure(api.create('pods', ns2, pod('nocpu')));
  t.equal(u.code, INVALID_ARGUMENT);
  t.equal(u.details, 'pods "nocpu" is forbidden: failed quota: cpu: must specify requests.cpu for: app');
  const invalid = await failure(api.create('pods', ns2, { ...pod('bad'), spec: { containers: [] } }));
  t.equal(invalid.code, INVALID_ARGUMENT, 'an invalid pod is refused by validation');
  const q = await api.get('resourcequotas', ns2, 'cpu');
  t.same((q.status as { used?: unknown } | undefined)?.used, undefined, 'and not charged');
});

/**
 * The shared store as two API servers see it over a network: every call waits a little (a fixed
 * cycle of 0-3 ms, different per server), so concurrent requests really interleave between
 * reading the quota and writing it, as they do against a real store.
 */
function overNetwork(inner: Storage, offset: number): Storage {
  let n = offset;
  const lag = async <T>(f: () => Promise<T>): Promise<T> => {
    await new Promise((r) => setTimeout(r, n++ % 4));
    return f();
  };
  return {
    get: (k) => lag(() => inner.get(k)),
    list: (p, o) => lag(() => inner.list(p, o)),
    create: (k, v) => lag(() => inner.create(k, v)),
    update: (k, v, r) => lag(() => inner.update(k, v, r)),
    delete: (k, r) => lag(() => inner.delete(k, r)),
    watch: (p, r, h) => inner.watch(p, r, h),
    currentRevision: () => lag(() => inner.currentRevision()),
    compactedRevision: () => inner.compactedRevision(),
    close: () => inner.close(),
  };
}

t.test('admission - ResourceQuota: concurrent creates on two API servers never exceed the quota', async (t) => {
  const storage = new MemoryStorage();
  const a = await startInProcess(t, { storage: overNetwork(storage, 0) });
  const b = await startInProcess(t, { storage: overNetwork(storage, 2) });
  const HARD = 5;
  const ATTEMPTS = 16;
  // Bounded: a few rounds, each a fixed number of creates in flight at once.
  for (let round = 1; round <= 3; round++) {
    const ns = `race-${round}`;
    await a.conn.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await a.conn.create('resourcequotas', ns, quota('q', { pods: String(HARD) }));
    const results = await Promise.allSettled(Array.from({ length: ATTEMPTS }, (_, i) => (i % 2 === 0 ? a : b).conn.create('pods', ns, pod(`p${i}`))));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: number }).code] : []));
    t.equal(ok, HARD, `round ${round}: exactly ${HARD} admitted`);
    t.same([...new Set(codes)], [RESOURCE_EXHAUSTED], `round ${round}: the others refused for the quota`);
    t.equal((await a.conn.list('pods', ns)).items.length, HARD, `round ${round}: ${HARD} pods stored`);
    t.same((await b.conn.get('resourcequotas', ns, 'q')).status, { hard: { pods: String(HARD) }, used: { pods: String(HARD) } });
  }
});

t.test('admission - ServiceAccount: defaulted to "default"; an unknown one is refused', async (t) => {
  const ns = await namespace('sa');
  const p = await api.create('pods', ns, pod('plain'));
  t.equal((p.spec as { serviceAccountName?: string }).serviceAccountName, 'default', 'defaulted (a missing "default" is allowed)');
  const e = await failure(api.create('pods', ns, pod('ghostly', { serviceAccountName: 'ghost' })));
  t.equal(e.code, FAILED_PRECONDITION);
  t.equal(e.details, `pods "ghostly" is forbidden: error looking up service account ${ns}/ghost: serviceaccount "ghost" not found`);
  await api.create('serviceaccounts', ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } });
  const b = await api.create('pods', ns, pod('built', { serviceAccountName: 'builder' }));
  t.equal((b.spec as { serviceAccountName?: string }).serviceAccountName, 'builder', 'an account created just before is found');
});

t.test('admission - DefaultTolerationSeconds: not-ready and unreachable tolerated for 300 s', async (t) => {
  const ns = await namespace('tol');
  const p = await api.create('pods', ns, pod('p'));
  t.same((p.spec as { tolerations?: unknown }).tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  const own = await api.create('pods', ns, pod('own', { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }] }));
  t.same((own.spec as { tolerations?: unknown }).tolerations, [
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ], "the pod's own toleration is kept");
  const replaced = await api.update('pods', ns, { ...own, spec: { ...(own.spec as object), tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }] } });
  t.equal((replaced.spec as { tolerations: unknown[] }).tolerations.length, 2, 'an update that leaves the defaults out gets them back instead of a refusal');
  const custom = await startInProcess(t, { options: { defaultTolerationSeconds: { notReadySeconds: 60, unreachableSeconds: 60 } } });
  const c = await custom.conn.create('pods', 'default', pod('c'));
  t.match((c.spec as { tolerations?: unknown }).tolerations, [{ tolerationSeconds: 60 }, { tolerationSeconds: 60 }], 'configurable per server');
});
