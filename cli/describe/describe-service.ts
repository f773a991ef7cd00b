// describe for Services and Nodes.
import type { KubeObject } from '../../api/kind.js';
import { conditionRows, mapLines, writeMetadata } from './describe-common.js';
import type { DescribeWriter } from './describe-writer.js';
import { arr, orNone, pairs, rec, str } from './fields.js';

export function describeService(w: DescribeWriter, svc: KubeObject): void {
  const spec = rec(svc.spec);
  writeMetadata(w, svc, true);
  w.pair(0, 'Selector', pairs(spec.selector));
  w.pair(0, 'Type', str(spec.type, 'ClusterIP'));
  w.pair(0, 'IP', str(spec.clusterIP, '<none>'));
  const ips = arr(spec.clusterIPs).map((ip) => str(ip));
  if (ips.length > 0) w.pair(0, 'IPs', ips.join(','));
  for (const p of arr(spec.ports)) {
    const r = rec(p);
    const name = str(r.name, '<unset>');
    const proto = str(r.protocol, 'TCP');
    w.pair(0, 'Port', `${name}  ${str(r.port)}/${proto}`);
    w.pair(0, 'TargetPort', `${str(r.targetPort, str(r.port))}/${proto}`);
    if (r.nodePort !== undefined) w.pair(0, 'NodePort', `${name}  ${str(r.nodePort)}/${proto}`);
  }
  w.pair(0, 'Session Affinity', str(spec.sessionAffinity, 'None'));
}

export function describeNode(w: DescribeWriter, node: KubeObject): void {
  const spec = rec(node.spec);
  const status = rec(node.status);
  writeMetadata(w, node, false);
  const taints = arr(spec.taints).map((t) => {
    const r = rec(t);
    return `${str(r.key)}${r.value !== undefined ? `=${str(r.value)}` : ''}:${str(r.effect)}`;
  });
  w.pair(0, 'Taints', taints.length === 0 ? '<none>' : taints.join('\n'));
  w.pair(0, 'Unschedulable', str(spec.unschedulable, 'false'));
  w.table(
    0,
    'Conditions',
    ['Type', 'Status', 'LastHeartbeatTime', 'Reason', 'Message'],
    conditionRows(status.conditions, ['lastHeartbeatTime', 'reason', 'message']),
  );
  const addresses = arr(status.addresses).map((a) => `${str(rec(a).type)}: ${str(rec(a).address)}`);
  w.pair(0, 'Addresses', addresses.length === 0 ? '<none>' : addresses.join('\n'));
  w.pair(0, 'Capacity', mapLines(status.capacity).replaceAll('=', ': '));
  w.pair(0, 'Allocatable', mapLines(status.allocatable).replaceAll('=', ': '));
  const info = Object.entries(rec(status.nodeInfo));
  if (info.length > 0) {
    w.section(0, 'System Info');
    for (const [k, v] of info) w.pair(1, k.charAt(0).toUpperCase() + k.slice(1), str(v));
  }
  w.pair(0, 'PodCIDR', orNone(str(spec.podCIDR)));
}
