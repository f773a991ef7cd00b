// Step 2: a Deployment of 3 web pods and a Service; the pods spread over both workers and the
// Service's ClusterIP answers from each worker host (through that worker's iptables proxy).
import type { Test } from 'tap';
import { waitFor } from '../../lab/helpers/lab.js';
import type { ClusterAccess } from '../helpers/cluster-access.js';

export interface PodView {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { image: string }[] };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

export const podReady = (p: PodView): boolean => p.metadata.deletionTimestamp === undefined && p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

export async function appPods(c: ClusterAccess, app: string): Promise<PodView[]> {
  return (await c.shoalctlJson<{ items: PodView[] }>(['get', 'pods', '-l', `app=${app}`])).items;
}

/** `wget` of url from a host, n times; the answers (pod names) and the failures. */
export async function requestFrom(c: ClusterAccess, host: string, url: string, n: number): Promise<{ answers: string[]; failures: number }> {
  const r = await c.exec(host, 'sh', ['-c', `i=0; while [ $i -lt ${n} ]; do timeout 5 /bin/busybox wget -qO- ${url} 2>/dev/null || echo FAILED; echo; i=$((i+1)); done`], { timeoutMs: 5_000 * n + 10_000 });
  const lines = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  return { answers: lines.filter((l) => l !== 'FAILED'), failures: lines.filter((l) => l === 'FAILED').length + Math.max(0, n - lines.length) };
}

export interface DeployedApp {
  readonly clusterIP: string;
  readonly port: number;
  readonly pods: PodView[];
}

export async function deployApp(t: Test, c: ClusterAccess, o: { app: string; manifests: string; replicas: number; port: number }): Promise<DeployedApp | undefined> {
  const applied = await c.shoalctl(['apply', '-f', '-'], { input: o.manifests });
  t.equal(applied.code, 0, `shoalctl apply the Deployment and Service: ${applied.stderr}`);
  if (applied.code !== 0) return undefined;
  let pods: PodView[] = [];
  const ready = await waitFor(
    t,
    `${o.replicas} ${o.app} pods Running and Ready`,
    async () => {
      pods = (await appPods(c, o.app)).filter(podReady);
      return pods.length === o.replicas;
    },
    240_000,
    async () => (await c.shoalctl(['get', 'pods', '-o', 'wide'])).stdout + (await c.shoalctl(['get', 'events'])).stdout.slice(-3000),
  );
  if (!ready) return undefined;
  const nodes = new Set(pods.map((p) => p.spec.nodeName));
  t.same([...nodes].sort(), [...c.workers], `the pods spread over both workers (${pods.map((p) => `${p.metadata.name}@${p.spec.nodeName}`).join(', ')})`);
  const svc = await c.shoalctlJson<{ spec: { clusterIP?: string } }>(['get', 'service', o.app]);
  const clusterIP = svc.spec.clusterIP ?? '';
  t.match(clusterIP, /^10\.(9[6-9]|1[01]\d)\./, `the Service has a ClusterIP from the service range (${clusterIP})`);
  const names = new Set(pods.map((p) => p.metadata.name));
  for (const w of c.workers) {
    let got: { answers: string[]; failures: number } = { answers: [], failures: 0 };
    // The proxy programs the rule once the Endpoints have the pods: wait for the first answer, then count.
    await waitFor(t, `the ClusterIP answers on ${w}`, async () => (await requestFrom(c, w, `http://${clusterIP}:${o.port}/`, 1)).failures === 0, 60_000);
    got = await requestFrom(c, w, `http://${clusterIP}:${o.port}/`, 30);
    t.equal(got.failures, 0, `${w}: 30 requests to ${clusterIP}:${o.port}, none failed`);
    t.ok(got.answers.length === 30 && got.answers.every((a) => names.has(a)), `${w}: every answer comes from one of the pods`);
    t.ok(new Set(got.answers).size >= 2, `${w}: spread over the pods (${[...new Set(got.answers)].join(', ')})`);
  }
  return { clusterIP, port: o.port, pods };
}
