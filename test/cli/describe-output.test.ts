// shoalctl describe's output, golden (tap snapshots, regenerate on purpose with
// `npx tap test/cli/describe-output.test.ts --snapshot`): per-kind sections for pods and
// deployments, the generic dump for other kinds, and the Events table.
import t from 'tap';
import type { KubeObject } from '../../api/kind.js';
import { describeObject, eventSelector } from '../../cli/describe/describe.js';
import { deployment, event, NOW, pod } from './fixtures.js';

function richPod(): KubeObject {
  const p = pod('web', 'default', { created: '2026-12-04T11:00:00Z', phase: 'Running', ip: '10.1.0.5', node: 'pi-1', labels: { app: 'web', tier: 'fe' } });
  const spec = p.spec as { containers: Record<string, unknown>[]; volumes?: unknown[]; nodeSelector?: unknown; tolerations?: unknown[] };
  spec.containers[0]!.env = [{ name: 'MODE', value: 'prod' }, { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'p' } } }];
  spec.containers[0]!.resources = { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } };
  spec.containers[0]!.volumeMounts = [{ name: 'data', mountPath: '/data' }];
  spec.volumes = [{ name: 'data', emptyDir: {} }];
  spec.nodeSelector = { arch: 'arm64' };
  spec.tolerations = [{ key: 'edge', operator: 'Equal', value: 'true', effect: 'NoSchedule' }];
  (p.status as Record<string, unknown>).conditions = [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }];
  p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9', uid: 'u', controller: true }];
  p.metadata.annotations = { 'shoal.io/last-applied-configuration': '{"kind":"Pod"}', team: 'edge' };
  return p;
}

const events = [
  event('Started', 'Started container web', '2026-12-04T11:00:10Z'),
  event('Scheduled', 'Successfully assigned default/web to pi-1', '2026-12-04T11:00:01Z'),
  event('BackOff', 'Back-off pulling image', '2026-12-04T11:58:00Z', { count: 4, first: '2026-12-04T11:40:00Z', type: 'Warning' }),
];

t.test('describe pod - sections, containers, conditions and events oldest first', async (t) => {
  const out = describeObject(richPod(), true, events, NOW);
  t.matchSnapshot(out);
  t.notMatch(out, /last-applied-configuration/, 'the last applied configuration is hidden, as kubectl does');
  t.match(out, /^Events:\n {2}Type {5}Reason {5}Age {15}From {7}Message\n/m);
  t.ok(out.split('\n').every((l) => l === l.trimEnd()), 'no line ends in blanks');
});

t.test('describe deployment - replicas summary, strategy, pod template', async (t) => {
  t.matchSnapshot(describeObject(deployment('web', '2026-12-04T10:00:00Z'), true, [], NOW));
});

t.test('describe service and node', async (t) => {
  const svc: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-12-04T10:00:00Z' },
    spec: { selector: { app: 'web' }, type: 'ClusterIP', clusterIP: '10.96.0.12', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
  };
  t.matchSnapshot(describeObject(svc, true, [], NOW), 'service');
  const nodePort: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'shop', namespace: 'default', creationTimestamp: '2026-12-04T10:00:00Z' },
    spec: { selector: { app: 'shop' }, type: 'NodePort', clusterIP: '10.96.0.13', clusterIPs: ['10.96.0.13'], ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30080 }] },
  };
  t.matchSnapshot(describeObject(nodePort, true, [], NOW), 'NodePort service: IP, IPs and NodePort');
  const node: KubeObject = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'pi-1', labels: { 'kubernetes.io/arch': 'arm64' }, creationTimestamp: '2026-12-01T00:00:00Z' },
    spec: { podCIDR: '10.1.0.0/24', taints: [{ key: 'edge', value: 'true', effect: 'NoSchedule' }] },
    status: {
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-12-04T11:59:50Z', reason: 'AgentReady', message: 'agent is posting ready status' }],
      addresses: [{ type: 'InternalIP', address: '192.168.1.20' }],
      capacity: { cpu: '4', memory: '3884Mi', pods: '110' },
      allocatable: { cpu: '4', memory: '3584Mi', pods: '110' },
      nodeInfo: { architecture: 'arm64', operatingSystem: 'linux' },
    },
  };
  t.matchSnapshot(describeObject(node, false, undefined, NOW), 'node, no events section');
});

t.test('describe configmap - generic dump of the other fields', async (t) => {
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default', creationTimestamp: '2026-12-04T10:00:00Z' }, data: { 'a.conf': 'x=1\ny=2\n', b: '2' } };
  const out = describeObject(cm, true, [], NOW);
  t.equal(
    out,
    [
      'Name:               cfg',
      'Namespace:          default',
      'Labels:             <none>',
      'Annotations:        <none>',
      'CreationTimestamp:  2026-12-04T10:00:00Z',
      'Data:',
      '  a.conf: |',
      '    x=1',
      '    y=2',
      '  b: "2"',
      'Events:             <none>',
      '',
    ].join('\n'),
  );
});

t.test('describe - events of an object are selected by involvedObject fields', async (t) => {
  t.equal(eventSelector(richPod()), 'involvedObject.name=web,involvedObject.kind=Pod,involvedObject.namespace=default');
});
