// An in-process API server over MemoryStorage, a client and a Scheduler, for the scheduler's
// integration tests; nodes are plain Node objects whose status says Ready with some allocatable.
import pino from 'pino';
import type { Test } from 'tap';
import type { Node, NodeInput, Pod } from '../../api/index.js';
import { ShoalClient } from '../../client/index.js';
import { Scheduler } from '../../control-plane/scheduler/index.js';
import type { SchedulerConfig } from '../../control-plane/scheduler/index.js';
import { ApiServers } from '../client/helpers/api-servers.js';
import { seededRng } from '../support/random.js';

export interface Cluster {
  readonly client: ShoalClient;
  readonly scheduler: Scheduler;
  addNode(name: string, o?: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: NonNullable<NodeInput['spec']>['taints'] }): Promise<Node>;
}

export async function startCluster(t: Test, config: Partial<SchedulerConfig> = {}): Promise<Cluster> {
  const servers = await ApiServers.start(t, 1);
  const client = new ShoalClient({ servers: servers.addresses });
  t.teardown(() => client.close());
  const scheduler = new Scheduler({ client, log: pino({ level: process.env.SHOAL_TEST_LOG ?? 'silent' }), rng: seededRng(7), config: { flushIntervalMs: 200, ...config } });
  t.teardown(() => scheduler.stop());
  const nodes = client.resource<Node>('nodes', '');
  const addNode: Cluster['addNode'] = async (name, o = {}) => {
    const allocatable = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' };
    await nodes.create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
      spec: { ...(o.taints ? { taints: o.taints } : {}) },
    } as Node);
    return nodes.patchStatus(name, { status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True', reason: 'AgentReady' }] } });
  };
  return { client, scheduler, addNode };
}

export function podWith(name: string, requests: Record<string, string> = {}, extra: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'busybox:1', resources: { requests } }], ...extra },
  } as unknown as Pod;
}

/** Waits (bounded, polling) until cond resolves true; fails the test with `what` otherwise. */
export async function until(t: Test, what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) {
      t.fail(`timed out waiting for ${what}`);
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
