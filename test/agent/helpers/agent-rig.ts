// An Agent on the real Docker engine against in-process API servers over one MemoryStorage,
// with fast loops (sync 300 ms, lease 1 s) and a short crash-loop backoff. Each rig has its own
// node name; every container it makes carries it and is removed in teardown.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Test } from 'tap';
import type { Pod } from '../../../api/index.js';
import { ShoalClient, insecureCredentials, systemClock } from '../../../client/index.js';
import { Agent, DockerRuntime, Label } from '../../../node-agent/index.js';
import type { AgentConfig } from '../../../node-agent/index.js';
import { ApiServers } from '../../client/helpers/api-servers.js';
import { dockerAvailable, ensureTestImage, removeContainersByLabel } from './test-image.js';
import { skipOrFailWithout } from '../../support/skip-or-fail.js';

/** Skips (loudly) without Docker on a developer machine; fails when CI=true. */
export async function requireDocker(t: Test): Promise<boolean> {
  if (await dockerAvailable()) return true;
  const msg = 'DOCKER UNAVAILABLE: the agent tests need a Docker engine (apt-get install docker.io; dockerd --storage-driver=vfs &)';
  skipOrFailWithout(t, msg);
  return false;
}

export interface AgentRig {
  readonly servers: ApiServers;
  readonly client: ShoalClient;
  readonly runtime: DockerRuntime;
  readonly nodeName: string;
  readonly dataDir: string;
  readonly image: string;
  agent: Agent;
  /** A new Agent on the same node and data dir (the old one must be stopped first). */
  startAgent(): Promise<Agent>;
  createPod(name: string, spec: Record<string, unknown>): Promise<Pod>;
  getPod(name: string): Promise<Pod>;
  /** Polls (bounded) until cond holds for the pod; fails the test with `what` otherwise. */
  waitPod(t: Test, name: string, what: string, cond: (p: Pod) => boolean, timeoutMs?: number): Promise<Pod>;
}

export const agentConfig = (nodeName: string, dataDir: string): AgentConfig => ({
  nodeName,
  dataDir,
  syncIntervalMs: 300,
  leaseRenewMs: 1_000,
  statusCheckMs: 1_000,
  housekeepingMs: 1_000,
  orphanGraceSeconds: 1,
  backoff: { initialMs: 1_000, maxMs: 4_000, resetAfterMs: 600_000 },
});

export async function until(t: Test, what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) {
      t.fail(`timed out waiting for ${what}`);
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function agentRig(t: Test): Promise<AgentRig> {
  const image = await ensureTestImage();
  const servers = await ApiServers.start(t, 1);
  const client = new ShoalClient({ servers: servers.addresses, credentials: insecureCredentials });
  const nodeName = `test-${randomBytes(4).toString('hex')}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'shoal-agent-'));
  const runtime = new DockerRuntime();
  const log = pino({ level: process.env.SHOAL_TEST_LOG ?? 'silent' });
  const rig: AgentRig = {
    servers,
    client,
    runtime,
    nodeName,
    dataDir,
    image,
    agent: undefined as unknown as Agent,
    async startAgent() {
      rig.agent = new Agent({ client, runtime, clock: systemClock, log, config: agentConfig(nodeName, dataDir) });
      await rig.agent.start();
      return rig.agent;
    },
    createPod: (name, spec) =>
      client.resource<Pod>('pods', 'default').create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { test: nodeName } }, spec: { nodeName, terminationGracePeriodSeconds: 1, ...spec } } as unknown as Pod),
    getPod: (name) => client.resource<Pod>('pods', 'default').get(name),
    async waitPod(t, name, what, cond, timeoutMs = 60_000) {
      let last: Pod | undefined;
      await until(
        t,
        `${name}: ${what} (last status: ${JSON.stringify(last?.status ?? {}).slice(0, 600)})`,
        async () => {
          last = await rig.getPod(name).catch(() => undefined);
          return last !== undefined && cond(last);
        },
        timeoutMs,
      );
      return last as Pod;
    },
  };
  t.teardown(async () => {
    await rig.agent?.stop();
    client.close();
    await removeContainersByLabel(`${Label.Node}=${nodeName}`);
    await rm(dataDir, { recursive: true, force: true });
  });
  await rig.startAgent();
  return rig;
}

export const ready = (p: Pod): boolean => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
export const restarts = (p: Pod, i = 0): number => p.status?.containerStatuses?.[i]?.restartCount ?? 0;
