// shoalctl against a cluster that moves: one in-process API server, simulated Ready nodes, the
// real Scheduler and ControllerManager (node lifecycle off: the simulated nodes renew no Lease),
// the fake kubelet of the controller tests (it marks bound pods Running/Ready and finishes
// deletes; the scheduler does the binding), and a shoalctl runner with a config pointing there.
import pino from 'pino';
import type { Test } from 'tap';
import type { Node, Pod } from '../../../api/index.js';
import { ShoalClient } from '../../../client/index.js';
import { CONTROLLER_NAMES } from '../../../control-plane/controllers/index.js';
import { Scheduler } from '../../../control-plane/scheduler/index.js';
import { ApiServers } from '../../client/helpers/api-servers.js';
import { FakeKubelet, startManager } from '../../controllers/helpers/cluster.js';
import { seededRng } from '../../support/random.js';
import { shoalctl } from './shoalctl.js';
import type { Shoalctl } from './shoalctl.js';

export interface WorkloadCluster {
  readonly client: ShoalClient;
  readonly kubelet: FakeKubelet;
  readonly ctl: Shoalctl;
  /** Live pods (not being deleted, not finished) whose name starts with `prefix`. */
  pods(prefix: string): Pod[];
}

export async function startWorkloadCluster(t: Test, nodeNames: readonly string[]): Promise<WorkloadCluster> {
  const servers = await ApiServers.start(t, 1);
  const client = new ShoalClient({ servers: servers.addresses, namespace: 'default' });
  t.teardown(() => client.close());
  const nodes = client.resource<Node>('nodes', '');
  for (const name of nodeNames) {
    await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {} } as Node);
    const allocatable = { cpu: '4', memory: '8Gi', pods: '110' };
    await nodes.patchStatus(name, { status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True', reason: 'AgentReady' }] } });
  }
  const kubelet = await FakeKubelet.start(t, client, { bindUnscheduled: false });
  const scheduler = new Scheduler({ client, log: pino({ level: process.env.SHOAL_TEST_LOG ?? 'silent' }), rng: seededRng(11), config: { flushIntervalMs: 200, initialBackoffMs: 100, maxBackoffMs: 500 } });
  t.teardown(() => scheduler.stop());
  if (!(await scheduler.start())) throw new Error('scheduler caches did not sync');
  startManager(t, client, { controllers: CONTROLLER_NAMES.filter((n) => n !== 'node-lifecycle') });
  const ctl = shoalctl(t, servers.addresses);
  const live = (p: Pod): boolean => p.metadata.deletionTimestamp === undefined && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
  return { client, kubelet, ctl, pods: (prefix) => kubelet.pods.cache.list().filter((p) => (p.metadata.name ?? '').startsWith(prefix) && live(p)) };
}
