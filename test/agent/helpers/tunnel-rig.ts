// The node tunnel on the in-memory runtime: two in-process API servers over one MemoryStorage, an
// Agent on a FakeRuntime (scripted host), its tunnels to the servers, and a client. The fake's
// streamed exec understands `cat` (echo stdin), `exit N`, `stderr TEXT` and `big N` (N bytes of
// "x" on stdout); logs come from runtime.writeLog.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Test } from 'tap';
import type { Pod } from '../../../api/index.js';
import { ShoalClient, insecureCredentials, systemClock } from '../../../client/index.js';
import { AGENT_VERSION, Agent, FakeRuntime, Label, NodeTunnels } from '../../../node-agent/index.js';
import type { ContainerInfo, FakeExecIo, HostFacts, HostUsage } from '../../../node-agent/index.js';
import type { ApiServerOptions } from '../../../control-plane/apiserver/index.js';
import { ApiServers } from '../../client/helpers/api-servers.js';
import { agentConfig, until } from './agent-rig.js';

const GiB = 1024 ** 3;
const facts: HostFacts = { hostname: 'fake', arch: 'amd64', os: 'linux', osImage: 'Debian 12', kernelVersion: '6.1.0', cpuCores: 2, cpuModel: 'x', memoryBytes: 4 * GiB, rootDiskBytes: 32 * GiB, addresses: ['127.0.0.1'], machineID: 'm', bootID: 'b' };

const usage: HostUsage = { memoryAvailableBytes: 2 * GiB, rootDiskAvailableBytes: 16 * GiB, rootDiskBytes: 32 * GiB, pids: 100, pidMax: 32768 };

export const FAKE_IMAGE = 'fake/app:1';
/** What the rig's agent reports as its node's usage (stats streams). */
export const FAKE_NODE_USAGE = { cpuMillicores: 250, memoryBytes: 512 * 1024 * 1024 } as const;

export async function fakeExec(_c: ContainerInfo, o: { cmd: readonly string[] }, io: FakeExecIo): Promise<number> {
  const [cmd, arg = ''] = o.cmd;
  switch (cmd) {
    case 'cat':
      for await (const chunk of io.stdin) io.stdout(chunk);
      return 0;
    case 'exit':
      return Number(arg);
    case 'stderr':
      io.stderr(arg);
      return 1;
    case 'big': {
      const block = Buffer.alloc(64 * 1024, 'x');
      for (let left = Number(arg); left > 0; left -= block.length) io.stdout(block.subarray(0, Math.min(left, block.length)));
      return 0;
    }
    default:
      io.stderr(`${cmd}: not found\n`);
      return 127;
  }
}

export interface TunnelRig {
  readonly servers: ApiServers;
  readonly client: ShoalClient;
  readonly runtime: FakeRuntime;
  readonly nodeName: string;
  readonly dataDir: string;
  readonly tunnels: NodeTunnels;
  /** Creates a pod (bound to this node unless spec says otherwise) and waits until it runs. */
  runPod(t: Test, name: string, containers: string[]): Promise<Pod>;
  /** The current container of a pod's container name. */
  containerId(pod: string, container: string): Promise<string>;
}

/** tunnelServers: which of the 2 API servers the agent's tunnels go to (default both). */
export async function tunnelRig(t: Test, opts: { tunnelServers?: number[]; serverOptions?: Partial<ApiServerOptions> } = {}): Promise<TunnelRig> {
  const servers = await ApiServers.start(t, 2, opts.serverOptions ?? {});
  const client = new ShoalClient({ servers: servers.addresses, credentials: insecureCredentials });
  const nodeName = `fake-${randomBytes(4).toString('hex')}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'shoal-tunnel-'));
  const runtime = new FakeRuntime({ clock: systemClock, images: [FAKE_IMAGE], execStream: fakeExec });
  const log = pino({ level: process.env.SHOAL_TEST_LOG ?? 'silent' });
  const agent = new Agent({ client, runtime, clock: systemClock, log, config: agentConfig(nodeName, dataDir), host: { facts: async () => facts, usage: async () => usage } });
  const tunnelTo = (opts.tunnelServers ?? [0, 1]).map((i) => servers.addresses[i]!);
  const tunnels = new NodeTunnels({ servers: tunnelTo, credentials: insecureCredentials, nodeName, agentVersion: AGENT_VERSION, runtime, log, backoff: { initialMs: 50, factor: 2, maxMs: 500, jitter: 0.5 }, nodeUsage: async () => FAKE_NODE_USAGE });
  t.teardown(async () => {
    await tunnels.stop();
    await agent.stop();
    client.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  await agent.start();
  tunnels.start();
  await until(t, 'tunnels connected', () => tunnels.connected().length === tunnelTo.length, 30_000);
  const rig: TunnelRig = {
    servers,
    client,
    runtime,
    nodeName,
    dataDir,
    tunnels,
    async runPod(t, name, containers) {
      const pods = client.resource<Pod>('pods', 'default');
      await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, containers: containers.map((c) => ({ name: c, image: FAKE_IMAGE })) } } as unknown as Pod);
      let last: Pod | undefined;
      await until(t, `pod ${name} running`, async () => {
        last = await pods.get(name);
        return last.status?.phase === 'Running';
      });
      return last!;
    },
    async containerId(pod, container) {
      const list = await runtime.list({ [Label.PodName]: pod, [Label.ContainerName]: container });
      const c = list.sort((a, b) => b.createdAt - a.createdAt)[0];
      if (c === undefined) throw new Error(`no container ${container} of pod ${pod}`);
      return c.id;
    },
  };
  return rig;
}
