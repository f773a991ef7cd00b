// Pure cores of the endpoints controller and the garbage collector, table-driven.
import t from 'tap';
import type { OwnerReference } from '../../api/kind.js';
import type { Pod, Service } from '../../api/index.js';
import { decideDependent, endpointSubsets } from '../../control-plane/controllers/index.js';

const svc = (ports: unknown[], selector: Record<string, string> | null = { app: 'web' }): Service =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns' }, spec: { ...(selector ? { selector } : {}), ports } }) as unknown as Service;

function pod(name: string, o: { ip?: string; ready?: boolean; app?: string; phase?: string; deleting?: boolean; port?: number } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `u-${name}`, labels: { app: o.app ?? 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i', ports: [{ name: 'http', containerPort: o.port ?? 8080, protocol: 'TCP' }] }] },
    status: { phase: o.phase ?? 'Running', ...(o.ip === '' ? {} : { podIP: o.ip ?? `10.0.0.${name.length}` }), conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  } as unknown as Pod;
}

const ips = (xs: { ip: string }[] | undefined): string[] => (xs ?? []).map((a) => a.ip);

t.test('endpointSubsets - table', async (t) => {
  const http = [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }];
  const cases: { name: string; service: Service; pods: Pod[]; want: { ready: string[]; notReady: string[]; ports: number[] }[] }[] = [
    { name: 'ready and not ready split', service: svc(http), pods: [pod('a', { ip: '10.0.0.2' }), pod('b', { ip: '10.0.0.1' }), pod('c', { ip: '10.0.0.3', ready: false })], want: [{ ready: ['10.0.0.1', '10.0.0.2'], notReady: ['10.0.0.3'], ports: [8080] }] },
    { name: 'no IP, finished, deleting, other labels: left out', service: svc(http), pods: [pod('a', { ip: '' }), pod('b', { phase: 'Succeeded' }), pod('c', { deleting: true }), pod('d', { app: 'db' })], want: [] },
    { name: 'numeric targetPort', service: svc([{ port: 80, targetPort: 9090, protocol: 'TCP' }]), pods: [pod('a', { ip: '10.0.0.9' })], want: [{ ready: ['10.0.0.9'], notReady: [], ports: [9090] }] },
    { name: 'pods resolving a named port differently get separate subsets', service: svc(http), pods: [pod('a', { ip: '10.0.0.1', port: 8080 }), pod('b', { ip: '10.0.0.2', port: 9000 })], want: [{ ready: ['10.0.0.1'], notReady: [], ports: [8080] }, { ready: ['10.0.0.2'], notReady: [], ports: [9000] }] },
    { name: 'no selector: nothing (managed by hand)', service: svc(http, null), pods: [pod('a')], want: [] },
  ];
  for (const c of cases) {
    const got = endpointSubsets(c.service, c.pods).map((s) => ({ ready: ips(s.addresses), notReady: ips(s.notReadyAddresses), ports: (s.ports ?? []).map((p) => p.port) }));
    t.same(got, c.want, c.name);
  }
  const [s] = endpointSubsets(svc(http), [pod('a', { ip: '10.0.0.1' })]);
  t.match(s?.addresses?.[0], { ip: '10.0.0.1', nodeName: 'n1', targetRef: { kind: 'Pod', name: 'a', namespace: 'ns', uid: 'u-a' } });
});

t.test('decideDependent - table', async (t) => {
  const ref = (uid: string): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid });
  const cases: { name: string; refs: OwnerReference[]; states: Record<string, 'present' | 'absent' | 'unknown'>; want: unknown }[] = [
    { name: 'no owners: keep', refs: [], states: {}, want: { action: 'keep' } },
    { name: 'owner present: keep', refs: [ref('a')], states: { a: 'present' }, want: { action: 'keep' } },
    { name: 'owner absent: delete', refs: [ref('a')], states: { a: 'absent' }, want: { action: 'delete' } },
    { name: 'owner unknown: keep (never delete what cannot be checked)', refs: [ref('a')], states: { a: 'unknown' }, want: { action: 'keep' } },
    { name: 'one of two absent: drop that reference', refs: [ref('a'), ref('b')], states: { a: 'absent', b: 'present' }, want: { action: 'dropRefs', uids: ['a'] } },
    { name: 'all absent: delete', refs: [ref('a'), ref('b')], states: { a: 'absent', b: 'absent' }, want: { action: 'delete' } },
  ];
  for (const c of cases) t.same(decideDependent(c.refs, (r) => c.states[r.uid] ?? 'unknown'), c.want, c.name);
});
