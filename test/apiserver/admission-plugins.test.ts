// Admission plugins of issue 5, table-driven, without a server: LimitRanger (defaults and
// bounds), ServiceAccount, DefaultTolerationSeconds, and the quota rules (usage, decisions,
// quantity formatting) that the ResourceQuota plugin and the quota controller share.
import t from 'tap';
import type { KindDefinition, KubeObject } from '../../api/index.js';
import { formatQuantity, mustParseQuantity, objectUsage, registry, sumUsage } from '../../api/index.js';
import { applyLimitDefaults, limitItems, limitViolations, LimitRanger } from '../../control-plane/apiserver/admission/limit-ranger.js';
import { decide } from '../../control-plane/apiserver/admission/resource-quota.js';
import { DefaultTolerationSeconds, DefaultTolerationSecondsConfigError, ServiceAccountAdmission } from '../../control-plane/apiserver/index.js';
import type { AdmissionRequest } from '../../control-plane/apiserver/index.js';

const kind = (resource: string): KindDefinition => registry.kinds.find((k) => k.resource === resource)!;

function request(object: KubeObject, over: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    attrs: { user: { name: 'u', groups: [] }, verb: 'create', apiGroup: '', resource: 'pods', subresource: '', namespace: 'ns', name: '', dryRun: false, labelSelector: '', fieldSelector: '' },
    operation: 'CREATE',
    kind: kind('pods'),
    object,
    oldObject: undefined,
    ...over,
  };
}

interface C {
  name?: string;
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}
const container = (c: C, i = 0): Record<string, unknown> => ({ name: c.name ?? `c${i}`, image: 'x', ...(c.requests || c.limits ? { resources: { ...(c.requests ? { requests: c.requests } : {}), ...(c.limits ? { limits: c.limits } : {}) } } : {}) });
const pod = (containers: C[], extra: Record<string, unknown> = {}, status?: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { containers: containers.map(container), ...extra }, ...(status ? { status } : {}) }) as KubeObject;
const limitRange = (name: string, limits: unknown[]): KubeObject => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name, namespace: 'ns' }, spec: { limits } }) as KubeObject;
const resourcesOf = (p: KubeObject, i = 0): unknown => ((p.spec as { containers: { resources?: unknown }[] }).containers[i] ?? {}).resources;

t.test('LimitRanger - defaults', async (t) => {
  const cases: { name: string; ranges: KubeObject[]; pod: KubeObject; want: unknown; note?: RegExp }[] = [
    { name: 'the seed example: default memory 512Mi', ranges: [limitRange('mem', [{ type: 'Container', default: { memory: '512Mi' } }])], pod: pod([{}]), want: { limits: { memory: '512Mi' }, requests: { memory: '512Mi' } }, note: /memory request for container c0; memory limit for container c0/ },
    { name: 'defaultRequest separate from default', ranges: [limitRange('r', [{ type: 'Container', default: { cpu: '1' }, defaultRequest: { cpu: '100m' } }])], pod: pod([{}]), want: { limits: { cpu: '1' }, requests: { cpu: '100m' } } },
    { name: 'max becomes the default limit', ranges: [limitRange('r', [{ type: 'Container', max: { memory: '1Gi' } }])], pod: pod([{}]), want: { limits: { memory: '1Gi' }, requests: { memory: '1Gi' } } },
    { name: 'min becomes the default request', ranges: [limitRange('r', [{ type: 'Container', min: { cpu: '50m' } }])], pod: pod([{}]), want: { requests: { cpu: '50m' } } },
    { name: 'a stated limit stays and stands for the request', ranges: [limitRange('r', [{ type: 'Container', default: { memory: '512Mi' }, defaultRequest: { memory: '256Mi' } }])], pod: pod([{ limits: { memory: '1Gi' } }]), want: { limits: { memory: '1Gi' } } },
    { name: 'a stated request stays; the limit is defaulted', ranges: [limitRange('r', [{ type: 'Container', default: { memory: '512Mi' } }])], pod: pod([{ requests: { memory: '128Mi' } }]), want: { limits: { memory: '512Mi' }, requests: { memory: '128Mi' } } },
    { name: 'Pod items do not default', ranges: [limitRange('r', [{ type: 'Pod', max: { memory: '1Gi' } }])], pod: pod([{}]), want: undefined },
    { name: 'first LimitRange by name wins', ranges: [limitRange('b', [{ type: 'Container', default: { memory: '2Gi' } }]), limitRange('a', [{ type: 'Container', default: { memory: '1Gi' } }])], pod: pod([{}]), want: { limits: { memory: '1Gi' }, requests: { memory: '1Gi' } } },
    { name: 'no LimitRange: untouched', ranges: [], pod: pod([{}]), want: undefined },
  ];
  for (const c of cases) {
    const out = applyLimitDefaults(c.pod, limitItems(c.ranges));
    t.same(resourcesOf(out), c.want, c.name);
    if (c.note) t.match(out.metadata.annotations?.['kubernetes.io/limit-ranger'], c.note, `${c.name}: annotation`);
    if (c.want === undefined) t.equal(out, c.pod, `${c.name}: same object`);
  }
  const initPod = pod([{}], { initContainers: [container({ name: 'init' })] });
  const out = applyLimitDefaults(initPod, limitItems([limitRange('r', [{ type: 'Container', default: { memory: '512Mi' } }])]));
  t.same((out.spec as { initContainers: { resources: unknown }[] }).initContainers[0]!.resources, { limits: { memory: '512Mi' }, requests: { memory: '512Mi' } }, 'init containers get defaults too');
});

t.test('LimitRanger - bounds', async (t) => {
  const cases: { name: string; limits: unknown[]; pod: KubeObject; want: { field: string; message: RegExp }[] }[] = [
    { name: 'within max', limits: [{ type: 'Container', max: { memory: '1Gi' } }], pod: pod([{ limits: { memory: '1Gi' } }]), want: [] },
    { name: 'limit above max', limits: [{ type: 'Container', max: { memory: '1Gi' } }], pod: pod([{ limits: { memory: '2Gi' } }]), want: [{ field: 'spec.containers[0].resources.limits[memory]', message: /^maximum memory usage per Container is 1Gi, but limit is 2Gi$/ }] },
    { name: 'max needs a limit', limits: [{ type: 'Container', max: { cpu: '2' } }], pod: pod([{ requests: { cpu: '1' } }]), want: [{ field: 'spec.containers[0].resources.limits[cpu]', message: /No limit is specified/ }] },
    { name: 'request below min', limits: [{ type: 'Container', min: { cpu: '100m' } }], pod: pod([{ requests: { cpu: '50m' } }]), want: [{ field: 'spec.containers[0].resources.requests[cpu]', message: /^minimum cpu usage per Container is 100m, but request is 50m$/ }] },
    { name: 'min needs a request', limits: [{ type: 'Container', min: { cpu: '100m' } }], pod: pod([{}]), want: [{ field: 'spec.containers[0].resources.requests[cpu]', message: /No request is specified/ }] },
    { name: 'a limit counts as the request', limits: [{ type: 'Container', min: { cpu: '100m' } }], pod: pod([{ limits: { cpu: '200m' } }]), want: [] },
    { name: 'ratio exceeded', limits: [{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }], pod: pod([{ requests: { cpu: '100m' }, limits: { cpu: '500m' } }]), want: [{ field: 'spec.containers[0].resources[cpu]', message: /max limit to request ratio per Container is 2, but provided ratio is 5\.0/ }] },
    { name: 'ratio kept', limits: [{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }], pod: pod([{ requests: { cpu: '250m' }, limits: { cpu: '500m' } }]), want: [] },
    { name: 'pod sum above max', limits: [{ type: 'Pod', max: { memory: '1Gi' } }], pod: pod([{ limits: { memory: '768Mi' } }, { limits: { memory: '512Mi' } }]), want: [{ field: 'spec.containers[*].resources.limits[memory]', message: /maximum memory usage per Pod is 1Gi, but limit is 1280Mi/ }] },
    { name: 'second container broken', limits: [{ type: 'Container', max: { memory: '1Gi' } }], pod: pod([{ limits: { memory: '1Gi' } }, { limits: { memory: '3Gi' } }]), want: [{ field: 'spec.containers[1].resources.limits[memory]', message: /but limit is 3Gi/ }] },
  ];
  for (const c of cases) {
    const got = limitViolations(c.pod, limitItems([limitRange('r', c.limits)]));
    t.equal(got.length, c.want.length, `${c.name}: ${JSON.stringify(got)}`);
    c.want.forEach((w, i) => {
      t.equal(got[i]?.field, w.field, `${c.name}: field`);
      t.match(got[i]?.message, w.message, `${c.name}: message`);
    });
  }
});

t.test('LimitRanger - the plugin refuses naming the field, and leaves other resources and updates alone', async (t) => {
  const lr = new LimitRanger(async () => [limitRange('r', [{ type: 'Container', max: { memory: '1Gi' } }])]);
  const big = pod([{ limits: { memory: '2Gi' } }]);
  await t.rejects(lr.validate(request(big)), { code: 3, message: /^pods "p" is forbidden: spec\.containers\[0\]\.resources\.limits\[memory\]: maximum memory usage per Container is 1Gi, but limit is 2Gi$/ });
  await t.resolves(lr.validate(request(big, { operation: 'UPDATE' })), 'updates are not checked');
  await t.resolves(lr.validate(request({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, { kind: kind('configmaps') })));
  const defaulted = await lr.admit(request(pod([{}])));
  t.same(resourcesOf(defaulted), { limits: { memory: '1Gi' }, requests: { memory: '1Gi' } });
});

t.test('ServiceAccount - defaulting and existence', async (t) => {
  const accounts = new Set(['ns/builder']);
  const sa = new ServiceAccountAdmission(async (ns, name) => (accounts.has(`${ns}/${name}`) ? ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } } as KubeObject) : undefined));
  const cases: { name: string; spec: Record<string, unknown>; want: string; refused?: RegExp }[] = [
    { name: 'none: default', spec: {}, want: 'default' },
    { name: 'empty: default', spec: { serviceAccountName: '' }, want: 'default' },
    { name: 'existing kept', spec: { serviceAccountName: 'builder' }, want: 'builder' },
    { name: 'missing refused', spec: { serviceAccountName: 'ghost' }, want: 'ghost', refused: /pods "p" is forbidden: error looking up service account ns\/ghost: serviceaccount "ghost" not found/ },
    { name: 'missing "default" allowed (grace)', spec: { serviceAccountName: 'default' }, want: 'default' },
  ];
  for (const c of cases) {
    const admitted = await sa.admit(request(pod([{}], c.spec)));
    t.equal((admitted.spec as { serviceAccountName?: string }).serviceAccountName, c.want, c.name);
    if (c.refused) await t.rejects(sa.validate(request(admitted)), { code: 9, message: c.refused }, `${c.name}: refused`);
    else await t.resolves(sa.validate(request(admitted)), `${c.name}: admitted`);
  }
  const updated = await sa.admit(request(pod([{}]), { operation: 'UPDATE' }));
  t.equal((updated.spec as { serviceAccountName?: string }).serviceAccountName, undefined, 'updates untouched');
});

t.test('DefaultTolerationSeconds - adds what is not tolerated yet', async (t) => {
  const NR = 'node.kubernetes.io/not-ready';
  const UR = 'node.kubernetes.io/unreachable';
  const both = [
    { key: NR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  const cases: { name: string; tolerations: unknown[] | undefined; want: unknown[] }[] = [
    { name: 'none: both added', tolerations: undefined, want: both },
    { name: 'not-ready present: unreachable added', tolerations: [{ key: NR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }], want: [{ key: NR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }, both[1]] },
    { name: 'empty effect tolerates NoExecute', tolerations: [{ key: UR, operator: 'Exists' }], want: [{ key: UR, operator: 'Exists' }, both[0]] },
    { name: 'tolerate-everything: nothing added', tolerations: [{ operator: 'Exists' }], want: [{ operator: 'Exists' }] },
    { name: 'NoSchedule only: both added', tolerations: [{ key: NR, operator: 'Exists', effect: 'NoSchedule' }], want: [{ key: NR, operator: 'Exists', effect: 'NoSchedule' }, ...both] },
  ];
  const plugin = new DefaultTolerationSeconds();
  for (const c of cases) {
    const out = await plugin.admit(request(pod([{}], c.tolerations ? { tolerations: c.tolerations } : {})));
    t.same((out.spec as { tolerations?: unknown[] }).tolerations, c.want, c.name);
  }
  const onUpdate = await plugin.admit(request(pod([{}]), { operation: 'UPDATE' }));
  t.same((onUpdate.spec as { tolerations?: unknown[] }).tolerations, both, 'updates too (a re-applied manifest without them keeps them)');
  const status = await plugin.admit(request(pod([{}]), { operation: 'UPDATE', attrs: { ...request(pod([{}])).attrs, subresource: 'status' } }));
  t.equal((status.spec as { tolerations?: unknown[] }).tolerations, undefined, 'not the status subresource');
  const custom = await new DefaultTolerationSeconds({ notReadySeconds: 60, unreachableSeconds: 30 }).admit(request(pod([{}])));
  t.match((custom.spec as { tolerations: unknown[] }).tolerations, [{ key: NR, tolerationSeconds: 60 }, { key: UR, tolerationSeconds: 30 }], 'configurable');
  t.throws(() => new DefaultTolerationSeconds({ notReadySeconds: -1 }), DefaultTolerationSecondsConfigError);
});

t.test('quota - what an object costs', async (t) => {
  const u = (resource: string, group: string, o: KubeObject): Record<string, string> => Object.fromEntries([...objectUsage(resource, group, o)].map(([k, v]) => [k, formatQuantity(v)]));
  t.same(u('pods', '', pod([{ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1' } }, { limits: { memory: '1Gi' } }])), {
    'count/pods': '1',
    pods: '1',
    'requests.cpu': '100m',
    cpu: '100m',
    'requests.memory': '1207959552',
    memory: '1207959552',
    'limits.cpu': '1',
    'limits.memory': '1073741824',
  }, 'sums over containers, a limit stands for a missing request');
  t.same(u('pods', '', pod([{ requests: { cpu: '1' } }], {}, { phase: 'Succeeded' })), {}, 'terminal pods cost nothing');
  t.same(u('pods', '', pod([{ requests: { cpu: '100m' } }], { initContainers: [container({ name: 'i', requests: { cpu: '2' } })] }))['requests.cpu'], '2', 'an init container larger than the sum');
  t.same(u('deployments', 'apps', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }), { 'count/deployments.apps': '1' });
  t.same(u('configmaps', '', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }), { 'count/configmaps': '1', configmaps: '1' });
  t.match(u('services', '', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 1 }, { port: 2 }] } }), { services: '1', 'services.nodeports': '2', 'services.loadbalancers': '0' });
  const total = sumUsage(['pods', 'requests.cpu'], ['BestEffort'], [
    { resource: 'pods', group: '', object: pod([{}]) },
    { resource: 'pods', group: '', object: pod([{ requests: { cpu: '1' } }]) },
  ]);
  t.same([...total].map(([k, v]) => `${k}=${formatQuantity(v)}`), ['pods=1', 'requests.cpu=0'], 'scopes: BestEffort counts only pods without requests');
});

t.test('quota - formatting quantities like Kubernetes', async (t) => {
  const cases: [string, string, string][] = [
    ['1', '', '1'],
    ['0.5', '', '500m'],
    ['1536Mi', '2Gi', '1536Mi'],
    ['2Gi', '4Gi', '2Gi'],
    ['2000', '', '2k'],
    ['0', '1Gi', '0'],
    ['100m', '2', '100m'],
  ];
  for (const [value, like, want] of cases) t.equal(formatQuantity(mustParseQuantity(value), like), want, `${value} like ${like}`);
});

t.test('quota - decisions', async (t) => {
  const view = { name: 'q', hard: { pods: '2', 'requests.memory': '1Gi' }, used: {}, scopes: [] as string[] };
  const used = (pods: string, mem: string): Map<string, ReturnType<typeof mustParseQuantity>> => new Map([['pods', mustParseQuantity(pods)], ['requests.memory', mustParseQuantity(mem)]]);
  const p = pod([{ requests: { memory: '512Mi' } }]);
  const cost = objectUsage('pods', '', p);
  t.same(decide(view, 'pods', p, cost, used('0', '0')), { type: 'charge', used: { pods: '1', 'requests.memory': '512Mi' } });
  t.same(decide(view, 'pods', p, cost, used('2', '0')), { type: 'exceeded', message: 'exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2' });
  t.same(decide(view, 'pods', p, cost, used('2', '768Mi')), { type: 'exceeded', message: 'exceeded quota: q, requested: pods=1,requests.memory=512Mi, used: pods=2,requests.memory=768Mi, limited: pods=2,requests.memory=1Gi' });
  t.match(decide(view, 'pods', pod([{}]), objectUsage('pods', '', pod([{}])), used('0', '0')), { type: 'unspecified', message: 'failed quota: q: must specify requests.memory for: c0' });
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
  t.same(decide(view, 'configmaps', cm, objectUsage('configmaps', '', cm), used('2', '1Gi')), { type: 'skip' }, 'a quota that does not count the object');
  t.same(decide({ ...view, scopes: ['Terminating'] }, 'pods', p, cost, used('2', '0')), { type: 'skip' }, 'out of scope');
});
