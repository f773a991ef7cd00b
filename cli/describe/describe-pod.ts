// describe for Pods, and the container blocks Deployments' pod templates reuse.
import type { KubeObject } from '../../api/kind.js';
import { writeMetadata, conditionRows, mapLines } from './describe-common.js';
import type { DescribeWriter } from './describe-writer.js';
import { arr, orNone, pairs, rec, str } from './fields.js';

function ports(container: Record<string, unknown>): string {
  return orNone(
    arr(container.ports)
      .map((p) => {
        const r = rec(p);
        return `${str(r.containerPort)}/${str(r.protocol, 'TCP')}`;
      })
      .join(', '),
  );
}

function stateLines(state: unknown): [string, string][] {
  const s = rec(state);
  for (const [name, detail] of Object.entries(s)) {
    const d = rec(detail);
    const title = name.charAt(0).toUpperCase() + name.slice(1);
    const more: [string, string][] = [];
    if (d.reason) more.push(['Reason', str(d.reason)]);
    if (d.exitCode !== undefined) more.push(['Exit Code', str(d.exitCode)]);
    if (d.startedAt) more.push(['Started', str(d.startedAt)]);
    if (d.finishedAt) more.push(['Finished', str(d.finishedAt)]);
    return [['State', title], ...more];
  }
  return [['State', 'Waiting']];
}

/** One block per container: image, ports, command, state, resources, env, mounts. */
export function writeContainers(w: DescribeWriter, indent: number, title: string, containers: unknown, statuses: unknown): void {
  const list = arr(containers);
  if (list.length === 0) return;
  w.section(indent, title);
  const byName = new Map(arr(statuses).map((s) => [str(rec(s).name), rec(s)] as const));
  for (const item of list) {
    const c = rec(item);
    const name = str(c.name);
    w.section(indent + 1, name);
    const i = indent + 2;
    w.pair(i, 'Image', str(c.image));
    w.pair(i, 'Port', ports(c));
    if (arr(c.command).length > 0) w.pair(i, 'Command', arr(c.command).map((x) => str(x)).join('\n'));
    if (arr(c.args).length > 0) w.pair(i, 'Args', arr(c.args).map((x) => str(x)).join('\n'));
    const status = byName.get(name);
    if (status) {
      for (const [k, v] of stateLines(status.state)) w.pair(i, k, v);
      w.pair(i, 'Ready', str(status.ready, 'False') === 'true' ? 'True' : 'False');
      w.pair(i, 'Restart Count', str(status.restartCount, '0'));
    }
    const resources = rec(c.resources);
    if (Object.keys(rec(resources.limits)).length > 0) w.pair(i, 'Limits', mapLines(resources.limits).replaceAll('=', ': '));
    if (Object.keys(rec(resources.requests)).length > 0) w.pair(i, 'Requests', mapLines(resources.requests).replaceAll('=', ': '));
    const env = arr(c.env).map((e) => {
      const r = rec(e);
      if (r.value !== undefined) return `${str(r.name)}: ${str(r.value)}`;
      const from = rec(r.valueFrom);
      const ref = Object.entries(from)[0];
      return `${str(r.name)}: <set from ${ref ? ref[0] : 'unknown'}>`;
    });
    w.pair(i, 'Environment', env.length === 0 ? '<none>' : env.join('\n'));
    const mounts = arr(c.volumeMounts).map((m) => {
      const r = rec(m);
      return `${str(r.mountPath)} from ${str(r.name)} (${r.readOnly === true ? 'ro' : 'rw'})`;
    });
    w.pair(i, 'Mounts', mounts.length === 0 ? '<none>' : mounts.join('\n'));
  }
}

export function writeVolumes(w: DescribeWriter, indent: number, volumes: unknown): void {
  const list = arr(volumes);
  if (list.length === 0) {
    w.pair(indent, 'Volumes', '<none>');
    return;
  }
  w.section(indent, 'Volumes');
  for (const v of list) {
    const r = rec(v);
    w.section(indent + 1, str(r.name));
    const source = Object.entries(r).find(([k]) => k !== 'name');
    w.pair(indent + 2, 'Type', source ? source[0] : '<unknown>');
    if (source) for (const [k, val] of Object.entries(rec(source[1]))) w.pair(indent + 2, k.charAt(0).toUpperCase() + k.slice(1), str(val, JSON.stringify(val)));
  }
}

export function describePod(w: DescribeWriter, pod: KubeObject): void {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  writeMetadata(w, pod, true);
  w.pair(0, 'Node', str(spec.nodeName, '<none>'));
  if (status.startTime) w.pair(0, 'Start Time', str(status.startTime));
  w.pair(0, 'Status', pod.metadata.deletionTimestamp ? 'Terminating' : str(status.phase, 'Pending'));
  if (status.reason) w.pair(0, 'Reason', str(status.reason));
  if (status.message) w.pair(0, 'Message', str(status.message));
  w.pair(0, 'IP', str(status.podIP, '<none>'));
  writeContainers(w, 0, 'Init Containers', spec.initContainers, status.initContainerStatuses);
  writeContainers(w, 0, 'Containers', spec.containers, status.containerStatuses);
  w.table(0, 'Conditions', ['Type', 'Status'], conditionRows(status.conditions));
  writeVolumes(w, 0, spec.volumes);
  w.pair(0, 'Restart Policy', str(spec.restartPolicy, 'Always'));
  w.pair(0, 'Node-Selectors', pairs(spec.nodeSelector, '\n'));
  const tolerations = arr(spec.tolerations).map((t) => {
    const r = rec(t);
    const kv = r.value !== undefined ? `${str(r.key)}=${str(r.value)}` : str(r.key);
    return `${kv}${r.effect ? `:${str(r.effect)}` : ''}${r.operator === 'Exists' && !r.key ? 'op=Exists' : ''}`;
  });
  w.pair(0, 'Tolerations', tolerations.length === 0 ? '<none>' : tolerations.join('\n'));
}
