// Step 6 of the end-to-end scenario: a worker powered off (its agent, then its dockerd with every
// container, stop) and back on. While it is off: its node turns Ready=Unknown with the
// node.kubernetes.io/unreachable NoExecute taint, its pods are evicted once their toleration runs
// out (tolerationSeconds on the pods, or the cluster's --default-unreachable-toleration-seconds)
// and their replacements run Ready on the other worker, the replica count restored. Back on: the
// node is Ready again without the taint, the evicted pods are gone from the API (the agent
// confirmed their deletion), none of their containers was started again, and its dockerd holds
// no container of a pod that is not bound to it. Every wait is bounded; timings are reported.
import type { Test } from 'tap';
import type { Node, Pod } from '../../../api/index.js';
import { waitFor } from '../../lab/helpers/lab.js';
import type { ClusterAccess } from '../helpers/cluster-access.js';

const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
const POD_UID_LABEL = 'io.shoal.pod.uid';

export interface WorkerLossOptions {
  /** The worker to power off; it must run at least one of the selected pods. */
  readonly worker: string;
  /** The worker that takes its pods over. */
  readonly other: string;
  /** Label selector of the workload's pods (shoalctl -l), e.g. "app=web". */
  readonly selector: string;
  readonly namespace?: string;
  /** A URL that answers from `other` while `worker` is off (e.g. the Service's ClusterIP); optional. */
  readonly serviceUrl?: string;
  /** Bound of each wait (default 180 s: grace period + toleration + a loaded machine). */
  readonly timeoutMs?: number;
}

/** Milliseconds from the power-off (or power-on) to each milestone. */
export interface WorkerLossTimings {
  readonly unreachableMs: number;
  readonly replacedMs: number;
  readonly readyAgainMs: number;
  readonly cleanedMs: number;
}

const isReady = (n: Node | undefined): boolean => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
const podReady = (p: Pod): boolean => p.status?.phase === 'Running' && p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
const active = (p: Pod): boolean => p.metadata.deletionTimestamp === undefined && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

/** Returns the timings, or undefined when a wait failed (the failure is already reported). */
export async function workerPowerOffAndBack(t: Test, c: ClusterAccess, o: WorkerLossOptions): Promise<WorkerLossTimings | undefined> {
  const ns = o.namespace ?? 'default';
  const limit = o.timeoutMs ?? 180_000;
  const pods = async (): Promise<Pod[]> => (await c.shoalctlJson<{ items: Pod[] }>(['get', 'pods', '-n', ns, '-l', o.selector])).items;
  const node = async (name: string): Promise<Node> => c.shoalctlJson<Node>(['get', 'node', name]);
  const show = (list: Pod[]): string =>
    list.map((p) => `${p.metadata.name} node=${p.spec.nodeName ?? '-'} phase=${p.status?.phase ?? '-'} ready=${podReady(p)}${p.metadata.deletionTimestamp === undefined ? '' : ' terminating'}`).join('\n');
  const explain = async (): Promise<string> => `${show(await pods())}\n${(await c.shoalctl(['get', 'nodes', '-o', 'wide'])).stdout}`;
  /** Pod uid label of every container in the worker's dockerd (running or not). */
  const containerUids = async (): Promise<{ uid: string; name: string }[]> => {
    const r = await c.docker(o.worker, ['ps', '-a', '--filter', `label=${POD_UID_LABEL}`, '--format', `{{.Label "${POD_UID_LABEL}"}} {{.Names}}`]);
    if (r.code !== 0) throw new Error(`docker ps on ${o.worker}: ${r.stderr}`);
    return r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => ({ uid: l.split(' ')[0] ?? '', name: l.split(' ')[1] ?? '' }));
  };

  const before = (await pods()).filter(active);
  const replicas = before.length;
  const lost = before.filter((p) => p.spec.nodeName === o.worker);
  const lostUids = new Set(lost.map((p) => p.metadata.uid ?? ''));
  t.ok(lost.length > 0 && replicas > lost.length, `${lost.length} of ${replicas} pods run on ${o.worker} (${lost.map((p) => p.metadata.name).join(' ')})`);
  if (lost.length === 0) return undefined;
  const held = (await containerUids()).filter((x) => lostUids.has(x.uid));
  t.ok(held.length >= lost.length, `${o.worker}'s dockerd holds their containers (${held.map((x) => x.name).join(' ')})`);

  // Power off.
  const off = Date.now();
  await c.stopWorker(o.worker);
  t.comment(`${o.worker} powered off (agent and dockerd stopped in ${Date.now() - off} ms)`);
  let unreachableMs = 0;
  const unreachable = await waitFor(
    t,
    `${o.worker} Unknown with the unreachable taint`,
    async () => {
      const n = await node(o.worker);
      const ok = !isReady(n) && (n.spec.taints ?? []).some((x) => x.key === TAINT_UNREACHABLE && x.effect === 'NoExecute');
      if (ok) unreachableMs = Date.now() - off;
      return ok;
    },
    limit,
    explain,
  );
  if (!unreachable) return undefined;
  t.pass(`${o.worker} is unreachable after ${unreachableMs} ms`);

  let replacedMs = 0;
  const replaced = await waitFor(
    t,
    `${replicas} Ready pods on ${o.other}, ${o.worker}'s evicted`,
    async () => {
      const now = await pods();
      const live = now.filter(active);
      const evicted = now.filter((p) => lostUids.has(p.metadata.uid ?? '')).every((p) => p.metadata.deletionTimestamp !== undefined);
      const ok = evicted && live.length === replicas && live.every((p) => p.spec.nodeName === o.other && podReady(p));
      if (ok) replacedMs = Date.now() - off;
      return ok;
    },
    limit,
    explain,
  );
  if (!replaced) return undefined;
  t.pass(`${replicas} pods Ready on ${o.other} after ${replacedMs} ms`);
  if (o.serviceUrl !== undefined) {
    const url = o.serviceUrl;
    let last = '';
    await waitFor(
      t,
      `${url} answers from ${o.other}`,
      async () => {
        // No `wget -T`: Debian 12's busybox 1.35 segfaults with it; the exec timeout bounds it.
        const r = await c.exec(o.other, '/bin/busybox', ['wget', '-qO-', url], { timeoutMs: 15_000 });
        last = `wget: ${r.code} ${r.stdout}${r.stderr}`;
        return r.code === 0;
      },
      60_000,
      async () => `${last}\n${(await c.shoalctl(['get', 'endpoints', '-n', ns, '-o', 'yaml'])).stdout}\n${(await c.exec(o.other, 'iptables-save', ['-t', 'nat'])).stdout}`,
    );
  }

  // Power on.
  const on = Date.now();
  await c.startWorker(o.worker);
  let readyAgainMs = 0;
  const back = await waitFor(
    t,
    `${o.worker} Ready again, untainted`,
    async () => {
      const n = await node(o.worker);
      const ok = isReady(n) && !(n.spec.taints ?? []).some((x) => x.key === TAINT_UNREACHABLE);
      if (ok) readyAgainMs = Date.now() - on;
      return ok;
    },
    limit,
    explain,
  );
  if (!back) return undefined;
  t.pass(`${o.worker} is Ready again ${readyAgainMs} ms after power-on`);

  let cleanedMs = 0;
  let stale: { uid: string; name: string }[] = [];
  const cleaned = await waitFor(
    t,
    `${o.worker}'s stale containers removed and the evicted pods gone`,
    async () => {
      const now = await pods();
      const bound = new Set(now.filter((p) => p.spec.nodeName === o.worker && p.metadata.deletionTimestamp === undefined).map((p) => p.metadata.uid ?? ''));
      stale = (await containerUids()).filter((x) => !bound.has(x.uid));
      const ok = stale.length === 0 && !now.some((p) => lostUids.has(p.metadata.uid ?? ''));
      if (ok) cleanedMs = Date.now() - on;
      return ok;
    },
    limit,
    async () => `stale containers: ${stale.map((x) => x.name).join(' ') || 'none'}\n${await explain()}`,
  );
  if (!cleaned) return undefined;
  t.pass(`no stale container on ${o.worker} ${cleanedMs} ms after power-on; the evicted pods are gone from the API`);

  // The engine's own record since it came back: no container of an evicted pod was started again.
  const started = await c.docker(o.worker, ['events', '--since', String(Math.floor(on / 1000) - 1), '--until', String(Math.ceil(Date.now() / 1000)), '--filter', 'event=start', '--format', `{{index .Actor.Attributes "${POD_UID_LABEL}"}} {{.Actor.Attributes.name}}`]);
  t.equal(started.code, 0, `docker events on ${o.worker}`);
  const restarted = started.stdout.split('\n').filter((l) => lostUids.has(l.split(' ')[0] ?? ''));
  t.same(restarted, [], 'no container of an evicted pod was started again after the power-on');

  const after = (await pods()).filter(active);
  t.equal(after.length, replicas, `still ${replicas} pods`);
  t.ok(after.every((p) => p.spec.nodeName === o.other), `they stay on ${o.other} (nothing moves back by itself)`);
  return { unreachableMs, replacedMs, readyAgainMs, cleanedMs };
}
