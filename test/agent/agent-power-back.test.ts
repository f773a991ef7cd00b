// Agent on the in-memory runtime - a node powered back on. Pods evicted (marked for deletion) or
// deleted outright while it was off must not run again, even when its API server answers only
// after the agent started: the API's pod list decides before the disk cache may start anything.
// Their containers (stopped by the power-off) are removed without a start, the evicted pod's
// deletion is confirmed, and a pod still bound here starts again. Without an answer within
// cachedPodsWaitMs the cached pods run (edge autonomy).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import type { Test } from 'tap';
import type { Pod } from '../../api/index.js';
import { ShoalClient, insecureCredentials, systemClock } from '../../client/index.js';
import { Agent, FakeRuntime, Label } from '../../node-agent/index.js';
import { ApiServers } from '../client/helpers/api-servers.js';
import { agentConfig, until } from './helpers/agent-rig.js';

const IMAGE = 'fake/busybox:1';
const NODE = 'pi1';

/** `waitMs`: the agents' cachedPodsWaitMs. */
async function powerRig(t: Test, waitMs: number) {
  const servers = await ApiServers.start(t, 1);
  const address = servers.addresses[0] ?? '';
  const client = new ShoalClient({ servers: [address], credentials: insecureCredentials });
  const dataDir = await mkdtemp(join(tmpdir(), 'shoal-power-back-'));
  const runtime = new FakeRuntime({ clock: systemClock, images: [IMAGE] });
  const agents: Agent[] = [];
  t.teardown(async () => {
    for (const a of agents) await a.stop();
    client.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const startAgent = async (): Promise<Agent> => {
    const a = new Agent({ client, runtime, clock: systemClock, log: pino({ level: 'silent' }), config: { ...agentConfig(NODE, dataDir), cachedPodsWaitMs: waitMs } });
    agents.push(a);
    await a.start();
    return a;
  };
  const pods = client.resource<Pod>('pods', 'default');
  const podOf = (name: string): Promise<Pod | undefined> => pods.get(name).catch(() => undefined);
  const create = (name: string): Promise<Pod> =>
    pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: IMAGE }] } } as unknown as Pod);
  /** Containers the runtime started from call `from` on, for the pods named. */
  const startsOf = (from: number, names: readonly string[]): string[] => runtime.calls.slice(from).filter((c) => c.startsWith('start ') && names.some((n) => c.includes(`_${n}_`)));
  const containersOf = (name: string) => runtime.list({ [Label.Node]: NODE, [Label.PodName]: name });
  const running = async (name: string): Promise<boolean> => (await podOf(name))?.status?.phase === 'Running';
  /** The power-off: the agent stops, then every container dies with the engine. */
  const powerOff = async (a: Agent): Promise<void> => {
    await a.stop();
    for (const c of await runtime.list({ [Label.Node]: NODE })) runtime.crash(c.id, 137);
  };
  return { servers, address, runtime, pods, podOf, create, startsOf, containersOf, running, powerOff, startAgent };
}

t.test('agent - back from a power-off with the API answering late: evicted and deleted pods never start again', async (t) => {
  // Far longer than the API server's restart takes, even on a loaded machine.
  const r = await powerRig(t, 120_000);
  const first = await r.startAgent();
  for (const name of ['evicted', 'deleted', 'kept']) await r.create(name);
  await until(t, 'three pods Running', async () => (await r.running('evicted')) && (await r.running('deleted')) && (await r.running('kept')));
  await r.powerOff(first);
  // Meanwhile the node controller evicts one pod (marked, waiting for this node) and someone force-deletes another.
  await r.pods.delete('evicted');
  t.ok((await r.podOf('evicted'))?.metadata.deletionTimestamp, 'evicted: marked for deletion, waiting for the node');
  await r.pods.delete('deleted', { gracePeriodSeconds: 0 });
  // Power on while the API server is still out of reach; it answers a moment later.
  await r.servers.stop(r.address);
  const mark = r.runtime.calls.length;
  await r.startAgent();
  await new Promise((res) => setTimeout(res, 1_000));
  t.same(r.startsOf(mark, ['evicted', 'deleted', 'kept']), [], 'nothing starts from the cache while the API may still answer');
  await r.servers.startOne(r.address);
  await until(t, 'kept Running again', async () => r.startsOf(mark, ['kept']).length > 0 && (await r.running('kept')));
  await until(t, 'the evicted pod gone from the API (deletion confirmed)', async () => (await r.podOf('evicted')) === undefined);
  await until(t, 'no container of the evicted or deleted pod left', async () => (await r.containersOf('evicted')).length === 0 && (await r.containersOf('deleted')).length === 0);
  t.same(r.startsOf(mark, ['evicted', 'deleted']), [], 'no container of the evicted or the deleted pod was started');
});

t.test('agent - back from a power-off without the API server: the cached pods run after cachedPodsWaitMs', async (t) => {
  const r = await powerRig(t, 3_000);
  const first = await r.startAgent();
  await r.create('edge');
  await until(t, 'edge Running', () => r.running('edge'));
  await r.powerOff(first);
  await r.servers.stop(r.address);
  const mark = r.runtime.calls.length;
  const at = Date.now();
  await r.startAgent();
  await until(t, 'the cached pod started offline', () => r.startsOf(mark, ['edge']).length > 0, 30_000);
  t.ok(Date.now() - at >= 2_500, `not before the wait (${Date.now() - at} ms)`);
});
