// The pod network across nodes, in the lab (scripts/lab.sh: a control-plane host and two
// workers, each worker with its own dockerd and agent, as network namespaces on a bridge):
// node IPAM gives each node its own /24 of 10.244.0.0/16, the agents report their lab address
// as InternalIP and make a docker network on their pod CIDR plus routes to the other's, pods
// get addresses in their node's CIDR, a pod on one worker reaches a pod on the other by IP and
// each worker host reaches both; `shoal-agent cleanup` removes the network, routes and rules.
// All traffic stays inside the lab's namespaces.
import t from 'tap';
import type { Node, Pod } from '../../api/index.js';
import { cidrContains, parseIpv4Cidr } from '../../api/net/ipv4-cidr.js';
import { Lab, labAddress, REPO, requireLab, waitFor, webDeployment } from './helpers/lab.js';
import { join } from 'node:path';

const LAB = 'pnet';

// A lab on a loaded 2-core machine (the whole suite beside it) can take longer than tap's 300 s.
t.setTimeout(600_000);

t.test('lab - pod network (host-gw) across two workers', async (t) => {
  if (!(await requireLab(t))) return;
  const lab = await Lab.up(t, { name: LAB, workers: 2 });
  await lab.startControlPlane();
  await waitFor(t, 'the API server answers from the client host', async () => (await lab.shoalctl(['get', 'nodes'])).code === 0, 90_000);
  const agents = [await lab.startAgent(1), await lab.startAgent(2)];

  // Nodes: distinct pod CIDRs from the cluster CIDR, InternalIP = lab address, network ready.
  const nodes = async (): Promise<Node[]> => (await lab.shoalctlJson<{ items: Node[] }>(['get', 'nodes'])).items;
  const cond = (n: Node, type: string): string | undefined => n.status?.conditions?.find((c) => c.type === type)?.status;
  const explainNodes = async (): Promise<string> => JSON.stringify((await nodes()).map((n) => ({ name: n.metadata.name, podCIDR: n.spec.podCIDR, conditions: n.status?.conditions?.map((c) => `${c.type}=${c.status} ${c.reason ?? ''} ${c.message ?? ''}`) })), null, 1);
  const ready = await waitFor(
    t,
    'both nodes Ready with a pod CIDR and the network up',
    async () => {
      const ns = await nodes();
      return ns.length === 2 && ns.every((n) => n.spec.podCIDR !== undefined && cond(n, 'Ready') === 'True' && cond(n, 'NetworkUnavailable') === 'False');
    },
    120_000,
    explainNodes,
  );
  if (!ready) return;
  const byName = new Map((await nodes()).map((n) => [n.metadata.name ?? '', n]));
  const cidr1 = byName.get('w1')?.spec.podCIDR ?? '';
  const cidr2 = byName.get('w2')?.spec.podCIDR ?? '';
  t.not(cidr1, cidr2, 'each node has its own pod CIDR');
  for (const c of [cidr1, cidr2]) t.ok(cidrContains(parseIpv4Cidr('10.244.0.0/16'), parseIpv4Cidr(c)) && c.endsWith('/24'), `${c} is a /24 of the cluster CIDR`);
  t.same(byName.get('w1')?.spec.podCIDRs, [cidr1], 'podCIDRs = [podCIDR]');
  t.equal(byName.get('w1')?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address, labAddress.worker(1), '--node-ip is the InternalIP');
  t.equal(byName.get('w2')?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address, labAddress.worker(2));

  // Pods spread over both workers, with addresses in their node's CIDR.
  const applied = await lab.shoalctl(['apply', '-f', '-'], { input: webDeployment('web', 3) });
  t.equal(applied.code, 0, `apply: ${applied.stderr}`);
  const pods = async (): Promise<Pod[]> => (await lab.shoalctlJson<{ items: Pod[] }>(['get', 'pods', '-l', 'app=web'])).items.filter((p) => p.metadata.deletionTimestamp === undefined);
  const explainPods = async (): Promise<string> => JSON.stringify((await pods()).map((p) => ({ name: p.metadata.name, node: p.spec.nodeName, phase: p.status?.phase, ip: p.status?.podIP, waiting: p.status?.containerStatuses?.map((c) => c.state) })), null, 1);
  const running = await waitFor(t, '3 pods running with IPs', async () => {
    const ps = await pods();
    return ps.length === 3 && ps.every((p) => p.status?.phase === 'Running' && (p.status.podIP ?? '') !== '');
  }, 120_000, explainPods);
  if (!running) return;
  const ps = await pods();
  const on = (w: string): Pod[] => ps.filter((p) => p.spec.nodeName === w);
  t.ok(on('w1').length > 0 && on('w2').length > 0, `pods on both workers (${ps.map((p) => `${p.metadata.name}@${p.spec.nodeName}`).join(', ')})`);
  for (const p of ps) {
    const c = p.spec.nodeName === 'w1' ? cidr1 : cidr2;
    t.ok(cidrContains(parseIpv4Cidr(c), parseIpv4Cidr(`${p.status?.podIP}/32`)), `${p.metadata.name} has ${p.status?.podIP} in its node's ${c}`);
  }
  const p1 = on('w1')[0]!;
  const p2 = on('w2')[0]!;

  // busybox wget without -T (the static build crashes with it); the run's own timeout bounds it.
  const fetchFrom = async (worker: string, pod: Pod | undefined, ip: string): Promise<string> => {
    if (pod === undefined) {
      const r = await lab.exec(worker, '/bin/busybox', ['wget', '-qO-', `http://${ip}:8080/`], { timeoutMs: 10_000 });
      return r.code === 0 ? r.stdout.trim() : `error ${r.code}: ${r.stderr.trim()}`;
    }
    const id = (await lab.docker(worker, ['ps', '-q', '--filter', `label=io.shoal.pod.name=${pod.metadata.name}`])).stdout.trim().split('\n')[0] ?? '';
    const r = await lab.docker(worker, ['exec', id, 'wget', '-qO-', `http://${ip}:8080/`], 10_000);
    return r.code === 0 ? r.stdout.trim() : `error ${r.code}: ${r.stderr.trim()}`;
  };
  t.equal(await fetchFrom('w1', p1, p2.status!.podIP!), p2.metadata.name, 'a pod on w1 reaches a pod on w2 by its IP');
  t.equal(await fetchFrom('w2', p2, p1.status!.podIP!), p1.metadata.name, 'and back');
  for (const w of ['w1', 'w2']) {
    t.equal(await fetchFrom(w, undefined, p1.status!.podIP!), p1.metadata.name, `worker host ${w} reaches the pod on w1`);
    t.equal(await fetchFrom(w, undefined, p2.status!.podIP!), p2.metadata.name, `worker host ${w} reaches the pod on w2`);
  }
  const routes = (await lab.exec('w1', 'ip', ['-4', 'route', 'show', 'proto', '77'])).stdout;
  t.match(routes, `${cidr2} via ${labAddress.worker(2)}`, 'w1 routes w2\'s pod CIDR via w2');
  // The pod sees the other pod's own address (no NAT between pods): httpd logs are off, so ask
  // the peer from w2's side what connects: the route alone is the proof that nothing masquerades
  // inside the cluster CIDR; the rule text says so too.
  const nat = (await lab.exec('w1', 'iptables', ['-t', 'nat', '-S', 'SHOAL-PODNET-POSTROUTING'])).stdout;
  t.match(nat, `-s ${cidr1} ! -d 10.244.0.0/16`, 'masquerade only for traffic leaving the cluster CIDR');

  // cleanup on w1 (agent stopped first, as an operator would): network, routes and rules gone.
  await lab.stop(agents[0]!);
  const clean = await lab.exec('w1', process.execPath, [join(REPO, 'bin/shoal-agent.js'), 'cleanup', '--docker-socket', lab.sock('w1')], { timeoutMs: 60_000 });
  t.equal(clean.code, 0, `cleanup: ${clean.stdout}${clean.stderr}`);
  t.equal((await lab.docker('w1', ['network', 'inspect', 'shoal'])).code === 0, false, 'docker network shoal removed');
  t.equal((await lab.exec('w1', 'ip', ['-4', 'route', 'show', 'proto', '77'])).stdout.trim(), '', 'no route of ours left');
  const filter = (await lab.exec('w1', 'iptables', ['-S'])).stdout + (await lab.exec('w1', 'iptables', ['-t', 'nat', '-S'])).stdout;
  t.notMatch(filter, /SHOAL-PODNET/, 'no pod network chain or jump left');
  const again = await lab.exec('w1', process.execPath, [join(REPO, 'bin/shoal-agent.js'), 'cleanup', '--docker-socket', lab.sock('w1')], { timeoutMs: 60_000 });
  t.equal(again.code, 0, 'cleanup again is fine (idempotent)');
});
