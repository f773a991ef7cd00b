// shoal-agent run (the real binary) with real Docker - /healthz and /metrics answer; a pod runs;
// kill -9 and a new process → the running container is adopted, not restarted.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import type { Pod } from '../../api/index.js';
import { ShoalClient, insecureCredentials } from '../../client/index.js';
import { Label } from '../../node-agent/index.js';
import { freePorts } from '../chaos/free-port.js';
import { ApiServers } from '../client/helpers/api-servers.js';
import { requireDocker, until } from './helpers/agent-rig.js';
import { DOCKER_CLI, ensureTestImage, removeContainersByLabel } from './helpers/test-image.js';

const run = promisify(execFile);

t.test('shoal-agent - health, metrics, and adoption after kill -9', async (t) => {
  if (!(await requireDocker(t))) return;
  const image = await ensureTestImage();
  const servers = await ApiServers.start(t, 1);
  const client = new ShoalClient({ servers: servers.addresses, credentials: insecureCredentials });
  t.teardown(() => client.close());
  const nodeName = `cli-${process.pid}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'shoal-agent-cli-'));
  const [httpPort] = await freePorts(1);
  const procs: ChildProcess[] = [];
  t.teardown(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await removeContainersByLabel(`${Label.Node}=${nodeName}`);
    await rm(dataDir, { recursive: true, force: true });
  });
  const start = (): ChildProcess => {
    const p = spawn(process.execPath, ['bin/shoal-agent.js', 'run', '--server', servers.addresses.join(','), '--node-name', nodeName, '--data-dir', dataDir, '--http-address', `127.0.0.1:${httpPort}`, '--log-level', 'warn', '--proxy-mode', 'none', '--pod-network', 'none'], { stdio: ['ignore', 'ignore', 'inherit'] });
    procs.push(p);
    return p;
  };
  const healthy = async (): Promise<boolean> => fetch(`http://127.0.0.1:${httpPort}/healthz`).then((r) => r.ok, () => false);
  const first = start();
  await until(t, '/healthz answers', healthy, 60_000);
  const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  t.match(metrics, /shoal_agent_pods/, 'Prometheus metrics');
  await client.resource<Pod>('pods', 'default').create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cli-pod' }, spec: { nodeName, containers: [{ name: 'c', image, command: ['sleep', '3600'] }] } } as unknown as Pod);
  let id = '';
  await until(t, 'the pod runs', async () => {
    const p = await client.resource<Pod>('pods', 'default').get('cli-pod');
    id = p.status?.containerStatuses?.[0]?.containerID ?? '';
    return p.status?.phase === 'Running';
  });
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  start();
  await until(t, '/healthz answers again', healthy, 60_000);
  await new Promise((r) => setTimeout(r, 3000));
  const { stdout } = await run(DOCKER_CLI, ['ps', '-q', '--no-trunc', '--filter', `label=${Label.Node}=${nodeName}`]);
  t.same(stdout.split('\n').filter(Boolean), [id.replace('docker://', '')], 'the same container runs: adopted, not restarted');
  const p = await client.resource<Pod>('pods', 'default').get('cli-pod');
  t.equal(p.status?.containerStatuses?.[0]?.restartCount, 0);
});
