// Services in the lab (issue 8's "Tests"): a Deployment of 3 busybox httpd pods over 2 workers
// plus a NodePort Service; the agents' iptables proxies turn its ClusterIP and NodePort into
// the pods. From a pod, from each worker host and from the client host, the ClusterIP and the
// NodePort answer and every endpoint gets traffic; an endpoint removed → its rule goes (polled
// with a deadline); rules flushed by hand → repaired; scale to 0 → connection refused at once;
// `shoal-agent cleanup` leaves no Shoal rule. The client reaches the service CIDR through a
// route to w1 that the test adds inside the client's namespace. All traffic stays in the lab.
import { join } from 'node:path';
import t from 'tap';
import type { Pod } from '../../api/index.js';
import { Lab, labAddress, REPO, requireLab, waitFor, webDeployment } from './helpers/lab.js';
import type { RunResult } from './helpers/lab.js';

const LAB = 'svc';
const REQUESTS = 60;

interface Service {
  spec: { clusterIP?: string; ports: { port: number; nodePort?: number }[] };
}
interface Endpoints {
  subsets?: { addresses?: { ip: string }[] }[];
}

const service = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
});

/** A bounded loop of requests as one shell command (one line of output per request). */
const loop = (wget: string, url: string, n: number): string => `i=0; while [ $i -lt ${n} ]; do ${wget} -qO- ${url} 2>/dev/null || echo FAILED; i=$((i+1)); done`;

/** Which pod served each request: host name → count (FAILED counts the failures). */
function tally(r: RunResult): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of r.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) m.set(line, (m.get(line) ?? 0) + 1);
  return m;
}

// A lab on a loaded 2-core machine (the whole suite beside it) can take longer than tap's 300 s.
t.setTimeout(600_000);

t.test('lab - services: ClusterIP and NodePort over iptables on two workers', async (t) => {
  if (!(await requireLab(t))) return;
  const lab = await Lab.up(t, { name: LAB, workers: 2 });
  await lab.startControlPlane();
  await waitFor(t, 'the API server answers from the client host', async () => (await lab.shoalctl(['get', 'nodes'])).code === 0, 90_000);
  const agents = [await lab.startAgent(1), await lab.startAgent(2)];
  const explainNodes = async (): Promise<string> => (await lab.shoalctl(['get', 'nodes', '-o', 'wide'])).stdout;
  const nodesReady = await waitFor(
    t,
    'both nodes Ready',
    async () => {
      const items = (await lab.shoalctlJson<{ items: { status?: { conditions?: { type: string; status: string }[] } }[] }>(['get', 'nodes'])).items;
      return items.length === 2 && items.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    },
    120_000,
    explainNodes,
  );
  if (!nodesReady) return;

  t.equal((await lab.shoalctl(['apply', '-f', '-'], { input: webDeployment('web', 3) })).code, 0, 'deployment applied');
  const created = await lab.shoalctl(['apply', '-f', '-'], { input: service });
  t.equal(created.code, 0, `service applied ${created.stderr}`);
  const svc = await lab.shoalctlJson<Service>(['get', 'service', 'web']);
  const clusterIP = svc.spec.clusterIP ?? '';
  const nodePort = svc.spec.ports[0]?.nodePort ?? 0;
  t.ok(/^10\.(9[6-9]|10[0-9]|11[01])\./.test(clusterIP), `ClusterIP ${clusterIP} from 10.96.0.0/12`);
  t.ok(nodePort >= 30000 && nodePort <= 32767, `NodePort ${nodePort} from 30000-32767`);

  const pods = async (): Promise<Pod[]> => (await lab.shoalctlJson<{ items: Pod[] }>(['get', 'pods', '-l', 'app=web'])).items.filter((p) => p.metadata.deletionTimestamp === undefined);
  const endpointIPs = async (): Promise<string[]> => ((await lab.shoalctlJson<Endpoints>(['get', 'endpoints', 'web'])).subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
  const explainPods = async (): Promise<string> => JSON.stringify((await pods()).map((p) => ({ name: p.metadata.name, node: p.spec.nodeName, phase: p.status?.phase, ip: p.status?.podIP })), null, 1);
  if (!(await waitFor(t, '3 ready endpoints', async () => (await endpointIPs()).length === 3, 120_000, explainPods))) return;
  const all = await pods();
  const names = new Set(all.map((p) => p.metadata.name ?? ''));
  t.ok(new Set(all.map((p) => p.spec.nodeName)).size === 2, 'pods on both workers');

  // The client reaches the service CIDR through w1 (as a router would send it to a node).
  t.equal((await lab.exec('client', 'ip', ['route', 'replace', '10.96.0.0/12', 'via', labAddress.worker(1)])).code, 0, 'client route to the service CIDR via w1');

  const fromHost = (host: string, url: string, n = REQUESTS): Promise<RunResult> => lab.exec(host, '/bin/busybox', ['sh', '-c', loop('/bin/busybox wget', url, n)], { timeoutMs: 120_000 });
  const podOn = all.find((p) => p.spec.nodeName === 'w1')!;
  t.comment(`pods: ${all.map((p) => `${p.metadata.name}@${p.spec.nodeName}/${p.status?.podIP}`).join(' ')}; requests from the pod come from ${podOn.metadata.name}`);
  const podContainer = async (): Promise<string> => (await lab.docker('w1', ['ps', '-q', '--filter', `label=io.shoal.pod.name=${podOn.metadata.name}`])).stdout.trim().split('\n')[0] ?? '';
  const fromPod = async (url: string, n = REQUESTS): Promise<RunResult> => lab.docker('w1', ['exec', await podContainer(), 'sh', '-c', loop('wget', url, n)], 120_000);
  const everyEndpoint = (what: string, r: RunResult): void => {
    const seen = tally(r);
    const served = [...seen.keys()].filter((k) => names.has(k));
    t.equal(seen.get('FAILED') ?? 0, 0, `${what}: no failed request`);
    t.same(served.sort(), [...names].sort(), `${what}: every endpoint got traffic (${[...seen].map(([k, v]) => `${k}=${v}`).join(' ')})`);
  };

  // The proxy programs the rules shortly after the endpoints exist: wait for a first answer.
  const cip = `http://${clusterIP}:80/`;
  // Nothing below can pass without it: stop here rather than run every loop into timeouts.
  if (!(await waitFor(t, 'the ClusterIP answers from w1', async () => names.has((await fromHost('w1', cip, 1)).stdout.trim()), 60_000, async () => (await lab.exec('w1', 'iptables-save', ['-t', 'nat'])).stdout))) return;
  for (const w of [1, 2]) {
    const np = `http://${labAddress.worker(w)}:${nodePort}/`;
    everyEndpoint(`pod on w1 → NodePort on w${w}`, await fromPod(np));
    everyEndpoint(`client → NodePort on w${w}`, await fromHost('client', np));
    everyEndpoint(`worker w${w} → ClusterIP`, await fromHost(`w${w}`, cip));
    everyEndpoint(`worker w${w} → NodePort on w${3 - w}`, await fromHost(`w${w}`, `http://${labAddress.worker(3 - w)}:${nodePort}/`));
  }
  everyEndpoint('pod on w1 → ClusterIP', await fromPod(cip));
  everyEndpoint('client → ClusterIP (routed via w1)', await fromHost('client', cip));

  // An endpoint removed: its DNAT rule goes (polled; the issue asks for within a second).
  const natRules = async (w: string): Promise<string> => (await lab.exec(w, 'iptables-save', ['-t', 'nat'])).stdout;
  const before = await endpointIPs();
  t.equal((await lab.shoalctl(['scale', 'deployment/web', '--replicas=2'])).code, 0, 'scaled to 2');
  await waitFor(t, '2 endpoints', async () => (await endpointIPs()).length === 2, 60_000);
  const after = await endpointIPs();
  const gone = before.find((ip) => !after.includes(ip)) ?? '';
  const since = Date.now();
  for (const w of ['w1', 'w2']) await waitFor(t, `the rule of ${gone} gone on ${w}`, async () => !(await natRules(w)).includes(`${gone}:8080`), 30_000, () => natRules(w));
  t.comment(`removed endpoint's rules gone ${Date.now() - since} ms after the Endpoints change was seen (polled every 500 ms)`);
  t.ok((await natRules('w1')).includes(`${after[0]}:8080`), 'the remaining endpoints keep their rules');

  // Rules flushed by hand: the proxy notices (canary / periodic resync) and puts them back.
  t.equal((await lab.exec('w2', 'iptables', ['-t', 'nat', '-F', 'SHOAL-SERVICES'])).code, 0, 'flushed SHOAL-SERVICES on w2');
  await waitFor(t, 'rules repaired on w2: the ClusterIP answers again', async () => names.has((await fromHost('w2', cip, 1)).stdout.trim()), 120_000, () => natRules('w2'));

  // Scale to 0: no endpoints → refused at once (a REJECT, not a timeout).
  t.equal((await lab.shoalctl(['scale', 'deployment/web', '--replicas=0'])).code, 0, 'scaled to 0');
  await waitFor(t, 'no endpoints', async () => (await endpointIPs()).length === 0, 60_000);
  await waitFor(t, 'connection refused from w1', async () => {
    const r = await lab.exec('w1', '/bin/busybox', ['wget', '-qO-', cip], { timeoutMs: 10_000 });
    return r.code !== 0 && r.code !== 124 && /refused/i.test(r.stderr);
  }, 30_000);
  const refused = await lab.exec('client', '/bin/busybox', ['wget', '-qO-', `http://${labAddress.worker(2)}:${nodePort}/`], { timeoutMs: 10_000 });
  t.match(refused.stderr, /refused/i, 'the NodePort refuses too (from the client)');

  // cleanup on w1 (agent stopped first): no Shoal rule in either iptables back end.
  await lab.stop(agents[0]!);
  const clean = await lab.exec('w1', process.execPath, [join(REPO, 'bin/shoal-agent.js'), 'cleanup', '--docker-socket', lab.sock('w1')], { timeoutMs: 60_000 });
  t.equal(clean.code, 0, `cleanup: ${clean.stdout}${clean.stderr}`);
  for (const save of ['iptables-nft-save', 'iptables-legacy-save']) {
    const r = await lab.exec('w1', save, []);
    if (r.code === 127) continue;
    t.notMatch(r.stdout, /SHOAL/, `${save}: no Shoal rule or chain left`);
  }
});
