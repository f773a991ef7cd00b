// Step 1: init the first control plane, join the other two with the command it printed, make a
// token, join both workers; the nodes report this machine's real capacity, and
// `get componentstatuses` and `members` are healthy. All through the installed bundle.
import { cpus, totalmem } from 'node:os';
import type { Test } from 'tap';
import { mustParseQuantity } from '../../../api/schemas/quantity.js';
import { labAddress, waitFor } from '../../lab/helpers/lab.js';
import type { InstalledCluster, JoinCommands } from '../helpers/installed-cluster.js';

export interface MemberView {
  name: string;
  id: string;
  leader: boolean;
  learner: boolean;
  raftAppliedIndex: number;
  healthy: boolean;
  error: string;
}
export interface NodeView {
  metadata: { name: string };
  status?: {
    capacity?: Record<string, string>;
    addresses?: { type: string; address: string }[];
    conditions?: { type: string; status: string }[];
    nodeInfo?: { architecture?: string; kubeletVersion?: string };
  };
}

export const members = async (c: InstalledCluster, server?: string): Promise<MemberView[]> => {
  const r = await c.shoalctl(['members', '-o', 'json'], server === undefined ? {} : { server });
  if (r.code !== 0) throw new Error(`shoalctl members: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { members: MemberView[] }).members;
};

export const isReady = (n: NodeView): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** Returns false when a step failed (the scenario stops there). */
export async function bringUp(t: Test, c: InstalledCluster, controlPlaneFlags: readonly string[]): Promise<boolean> {
  const init = await c.install('cp1', ['control-plane', 'init', '--advertise-address', labAddress.cp(1), '--name', 'cp1', ...controlPlaneFlags]);
  t.match(init, /installing Shoal/, 'install.sh lays out cp1 (control-plane init)');
  await c.start('cp1', 'control-plane');
  let join: JoinCommands | undefined;
  if (!(await waitFor(t, 'init prints the join commands', async () => (join = c.joinCommands()) !== undefined, 180_000, async () => c.log('cp1', 'control-plane').slice(-3000)))) return false;
  t.equal(join!.worker[0], `${labAddress.cp(1)}:6443`, 'the join command names cp1\'s API server');
  c.writeShoalctlConfig();

  for (let i = 2; i <= c.controlPlanes.length; i++) {
    const host = `cp${i}`;
    // The timing flags as init's (join does not take them from the cluster: whichever host leads the controllers applies its own).
    await c.install(host, ['control-plane', 'join', ...join!.controlPlane, '--advertise-address', labAddress.cp(i), '--name', host, ...controlPlaneFlags]);
    await c.start(host, 'control-plane');
  }
  let seen: MemberView[] = [];
  const allMembers = await waitFor(
    t,
    `${c.controlPlanes.length} healthy voting members`,
    async () => {
      seen = await members(c);
      return seen.length === c.controlPlanes.length && seen.every((m) => m.healthy && !m.learner);
    },
    240_000,
    async () => JSON.stringify(seen) + '\n' + c.controlPlanes.slice(1).map((h) => `${h}:\n${c.log(h, 'control-plane').slice(-1500)}`).join('\n'),
  );
  if (!allMembers) return false;
  t.same(seen.map((m) => m.name).sort(), [...c.controlPlanes], 'members: cp1, cp2, cp3');
  t.equal(seen.filter((m) => m.leader).length, 1, 'exactly one leader');

  const token = await c.shoalctl(['token', 'create']);
  t.equal(token.code, 0, `shoalctl token create: ${token.stderr}`);
  const agentJoin = /shoal-agent join (\S+) --token (\S+) --ca-cert-hash (\S+)/.exec(token.stdout);
  t.ok(agentJoin, 'token create prints the worker join command');
  if (agentJoin === null) return false;
  t.not(agentJoin[2], join!.worker[2], 'a new token, not init\'s');
  for (const [i, w] of c.workers.entries()) {
    await c.install(w, ['agent', 'join', agentJoin[1]!, '--token', agentJoin[2]!, '--ca-cert-hash', agentJoin[3]!, '--node-name', w, '--node-ip', labAddress.worker(i + 1), '--docker-socket', c.lab.sock(w)]);
    await c.start(w, 'agent');
  }
  let nodes: NodeView[] = [];
  const ready = await waitFor(
    t,
    'both workers registered and Ready',
    async () => {
      nodes = (await c.shoalctlJson<{ items: NodeView[] }>(['get', 'nodes'])).items;
      return nodes.length === c.workers.length && nodes.every(isReady);
    },
    180_000,
    async () => JSON.stringify(nodes.map((n) => [n.metadata.name, n.status?.conditions])) + '\n' + c.workers.map((w) => `${w}:\n${c.log(w, 'agent').slice(-1500)}`).join('\n'),
  );
  if (!ready) return false;
  for (const [i, n] of nodes.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).entries()) {
    const cap = n.status?.capacity ?? {};
    t.equal(n.metadata.name, c.workers[i], `node ${n.metadata.name} registered under its --node-name`);
    t.equal(n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address, labAddress.worker(i + 1), `${n.metadata.name}: InternalIP is its lab address`);
    // The lab's hosts share this machine: real capacity is this machine's.
    t.equal(cap.cpu, String(cpus().length), `${n.metadata.name}: cpu capacity ${cap.cpu} = this machine's ${cpus().length} cores`);
    const mem = cap.memory === undefined ? 0 : Number(mustParseQuantity(cap.memory).num / mustParseQuantity(cap.memory).den);
    t.ok(Math.abs(mem - totalmem()) / totalmem() < 0.05, `${n.metadata.name}: memory capacity ${cap.memory} is this machine's (${totalmem()} bytes)`);
    t.ok(Number(cap.pods ?? 0) > 0, `${n.metadata.name}: pods capacity ${cap.pods}`);
    t.match(n.status?.nodeInfo?.kubeletVersion ?? '', new RegExp(`${c.version.replace(/\./g, '\\.')}`), `${n.metadata.name} runs the bundle's version (${n.status?.nodeInfo?.kubeletVersion})`);
  }
  const cs = await c.shoalctl(['get', 'componentstatuses']);
  t.equal(cs.code, 0, `get componentstatuses: ${cs.stderr}`);
  const rows = cs.stdout.trim().split('\n').slice(1);
  t.ok(rows.length >= c.controlPlanes.length + 3, `componentstatuses lists the store members, an API server, scheduler and controller manager:\n${cs.stdout}`);
  t.same(rows.filter((r) => !/\sHealthy\s/.test(r + ' ')), [], 'every component Healthy');
  for (const h of c.controlPlanes) t.match(cs.stdout, new RegExp(`store-${h}\\s+Healthy`), `store-${h} Healthy`);
  t.match(cs.stdout, /scheduler\s+Healthy/, 'scheduler Healthy');
  t.match(cs.stdout, /controller-manager\s+Healthy/, 'controller-manager Healthy');
  return true;
}
