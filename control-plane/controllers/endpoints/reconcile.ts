// The pure core of the endpoints controller: the Endpoints subsets of a Service from its
// matching pods. Pods with the same resolved ports share a subset; ready pods go to addresses,
// the others (running but not ready) to notReadyAddresses; pods without an IP, finished or being
// deleted are left out. Output is sorted, so equal inputs give equal objects.
import type { Endpoints, Pod, Service } from '../../../api/index.js';
import { labelSelectorFromMap } from '../../../api/index.js';
import { isPodActive, isPodReady } from '../shared/pod-state.js';

export type Subset = NonNullable<Endpoints['subsets']>[number];
type Address = NonNullable<Subset['addresses']>[number];
type EndpointPort = NonNullable<Subset['ports']>[number];

/** The port a service port reaches on this pod (a named targetPort looks up container ports). */
export function resolveTargetPort(pod: Pod, sp: NonNullable<Service['spec']['ports']>[number]): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  for (const c of pod.spec.containers) for (const p of c.ports ?? []) if (p.name === tp && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP')) return p.containerPort;
  return undefined;
}

export function endpointSubsets(service: Service, pods: readonly Pod[]): Subset[] {
  const sel = service.spec.selector;
  if (sel === undefined || Object.keys(sel).length === 0) return [];
  const matcher = labelSelectorFromMap(sel);
  const groups = new Map<string, { ports: EndpointPort[]; ready: Address[]; notReady: Address[] }>();
  for (const pod of pods) {
    if (!matcher.matches(pod.metadata.labels) || !isPodActive(pod)) continue;
    const ip = pod.status?.podIP;
    if (ip === undefined || ip === '') continue;
    const ports: EndpointPort[] = [];
    for (const sp of service.spec.ports ?? []) {
      const port = resolveTargetPort(pod, sp);
      if (port !== undefined) ports.push({ ...(sp.name === undefined ? {} : { name: sp.name }), port, protocol: sp.protocol ?? 'TCP' });
    }
    if ((service.spec.ports ?? []).length > 0 && ports.length === 0) continue;
    ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { ports, ready: [], notReady: [] }));
    const address: Address = {
      ip,
      ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    } as Address;
    (isPodReady(pod) ? g.ready : g.notReady).push(address);
  }
  const byIp = (a: Address, b: Address): number => a.ip.localeCompare(b.ip) || (a.targetRef?.name ?? '').localeCompare(b.targetRef?.name ?? '');
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => ({
      ...(g.ready.length > 0 ? { addresses: g.ready.sort(byIp) } : {}),
      ...(g.notReady.length > 0 ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
      ...(g.ports.length > 0 ? { ports: g.ports } : {}),
    }));
}
