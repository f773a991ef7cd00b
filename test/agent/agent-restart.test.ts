// Agent with real Docker - a stopped agent's successor adopts running containers without a
// restart and removes containers of pods deleted meanwhile; with the API server down a new agent
// runs the cached pods and still restarts a crashed container; the node registers with the
// host's real capacity and renews its Lease.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import t from 'tap';
import type { Lease, Node, Pod } from '../../api/index.js';
import { ShoalClient, insecureCredentials, systemClock } from '../../client/index.js';
import { Agent, Label } from '../../node-agent/index.js';
import pino from 'pino';
import { agentConfig, agentRig, requireDocker, restarts, until } from './helpers/agent-rig.js';
import { DOCKER_CLI } from './helpers/test-image.js';

const run = promisify(execFile);

interface Seen {
  id: string;
  startedAt: string;
}

/** Running containers of a pod with their start times (retried: one may go between ps and inspect). */
async function containersOf(nodeName: string, pod: string): Promise<Seen[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runningOf(nodeName, pod);
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
}

async function runningOf(nodeName: string, pod: string): Promise<Seen[]> {
  const { stdout } = await run(DOCKER_CLI, ['ps', '-q', '--filter', `label=${Label.Node}=${nodeName}`, '--filter', `label=${Label.PodName}=${pod}`]);
  const ids = stdout.split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  const { stdout: info } = await run(DOCKER_CLI, ['inspect', '--format', '{{.Id}} {{.State.StartedAt}} {{.State.Running}}', ...ids]);
  return info
    .split('\n')
    .filter((l) => l.endsWith(' true'))
    .map((l) => {
      const [id = '', startedAt = ''] = l.split(' ');
      return { id, startedAt };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

t.test('agent - a new agent adopts running containers and removes those of deleted pods', async (t) => {
  if (!(await requireDocker(t))) return;
  const r = await agentRig(t);
  await r.createPod('keep', { containers: [{ name: 'a', image: r.image, command: ['sleep', '3600'] }, { name: 'b', image: r.image, command: ['sleep', '3600'] }] });
  await r.createPod('gone', { containers: [{ name: 'c', image: r.image, command: ['sleep', '3600'] }] });
  await r.waitPod(t, 'keep', 'Running', (p) => p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.state?.running) === true);
  await r.waitPod(t, 'gone', 'Running', (p) => p.status?.phase === 'Running');
  const before = await containersOf(r.nodeName, 'keep');
  t.equal(before.length, 2);
  await r.agent.stop(); // no cleanup: containers keep running
  t.same(await containersOf(r.nodeName, 'keep'), before, 'containers survive the agent');
  await r.client.resource<Pod>('pods', 'default').delete('gone', { gracePeriodSeconds: 0 });
  const agent = await r.startAgent();
  await until(t, 'the new agent synced and removed the deleted pod\'s container', async () => agent.hasSynced && (await containersOf(r.nodeName, 'gone')).length === 0);
  // A few sync rounds of the new agent.
  await new Promise((res) => setTimeout(res, 2000));
  t.same(await containersOf(r.nodeName, 'keep'), before, 'same containers, same start times: adopted, not restarted');
  const p = await r.getPod('keep');
  t.equal(p.status?.phase, 'Running');
  t.same(p.status?.containerStatuses?.map((c) => c.restartCount), [0, 0]);
});

t.test('agent - with the API server down a new agent runs the cached pods and restarts a crashed container', async (t) => {
  if (!(await requireDocker(t))) return;
  const r = await agentRig(t);
  await r.createPod('edge', { containers: [{ name: 'c', image: r.image, command: ['sleep', '3600'] }] });
  await r.waitPod(t, 'edge', 'Running', (p) => p.status?.phase === 'Running');
  const [first] = await containersOf(r.nodeName, 'edge');
  await r.agent.stop();
  const address = r.servers.addresses[0] ?? '';
  await r.servers.stop(address);
  // A fresh process would have only its data dir: a new client, a new agent.
  const client = new ShoalClient({ servers: [address], credentials: insecureCredentials });
  t.teardown(() => client.close());
  const offline = new Agent({ client, runtime: r.runtime, clock: systemClock, log: pino({ level: 'silent' }), config: agentConfig(r.nodeName, r.dataDir) });
  await offline.start();
  t.teardown(() => offline.stop());
  await until(t, 'the cached pod has a worker', () => offline.podUids().length === 1);
  await run(DOCKER_CLI, ['kill', first?.id ?? '']);
  await until(t, 'the crashed container was restarted offline', async () => {
    const now = await containersOf(r.nodeName, 'edge');
    return now.length === 1 && now[0]?.id !== first?.id;
  });
  await r.servers.startOne(address);
  await r.waitPod(t, 'edge', 'restart count 1 reported after reconnect', (p) => restarts(p) === 1 && p.status?.phase === 'Running');
  const running = await containersOf(r.nodeName, 'edge');
  await new Promise((res) => setTimeout(res, 1500));
  t.same(await containersOf(r.nodeName, 'edge'), running, 'nothing healthy restarts after the reconnect');
  await offline.stop();
});

t.test('agent - the node registers with the host\'s capacity, labels and a renewed Lease', async (t) => {
  if (!(await requireDocker(t))) return;
  const r = await agentRig(t);
  let node: Node | undefined;
  await until(t, 'node registered with capacity', async () => {
    node = await r.client.resource<Node>('nodes', '').get(r.nodeName).catch(() => undefined);
    return node?.status?.capacity !== undefined;
  });
  const cap = node?.status?.capacity as Record<string, string>;
  const nproc = (await run('nproc', ['--all'])).stdout.trim();
  t.equal(cap.cpu, nproc, 'cpu = nproc --all');
  t.ok(Number(cap.cpu) >= availableParallelism(), 'at least the CPUs this process may use');
  const memKi = /MemTotal:\s+(\d+) kB/.exec(await readFile('/proc/meminfo', 'utf8'))?.[1];
  t.equal(cap.memory, `${memKi}Ki`, 'memory = MemTotal');
  t.match(cap['ephemeral-storage'], /^\d+Ki$/);
  const alloc = node?.status?.allocatable as Record<string, string>;
  t.equal(alloc.memory, `${Number(memKi) - 100 * 1024}Ki`, 'allocatable = capacity - reserved 100Mi');
  const labels = node?.metadata.labels ?? {};
  t.equal(labels['kubernetes.io/hostname'], r.nodeName);
  t.equal(labels['kubernetes.io/os'], 'linux');
  t.ok(['amd64', 'arm64', 'arm'].includes(labels['kubernetes.io/arch'] ?? ''), 'arch label');
  t.equal(node?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  t.match(node?.status?.nodeInfo?.containerRuntimeVersion, /^docker:\/\//);
  const leases = r.client.resource<Lease>('leases', 'kube-node-lease');
  const l1 = await leases.get(r.nodeName);
  t.equal(l1.spec.holderIdentity, r.nodeName);
  await until(t, 'lease renewed', async () => (await leases.get(r.nodeName)).metadata.resourceVersion !== l1.metadata.resourceVersion);
});
