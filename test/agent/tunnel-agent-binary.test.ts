// shoal-agent run (the real binary) with real Docker - a `docker save` tarball dropped in
// <data-dir>/images is loaded at start (recorded by content hash) and a pod runs from it; logs
// and exec reach the pod through the tunnels the binary opens to both API servers.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import type { Pod } from '../../api/index.js';
import { ShoalClient, insecureCredentials } from '../../client/index.js';
import { LOADED_RECORD, Label } from '../../node-agent/index.js';
import { freePorts } from '../chaos/free-port.js';
import { ApiServers } from '../client/helpers/api-servers.js';
import { requireDocker, until } from './helpers/agent-rig.js';
import { DOCKER_CLI, ensureTestImage, removeContainersByLabel } from './helpers/test-image.js';

const run = promisify(execFile);
t.setTimeout(900_000);

t.test('shoal-agent binary - loads its images directory at start and serves logs and exec through its tunnels', async (t) => {
  if (!(await requireDocker(t))) return;
  const image = await ensureTestImage();
  const servers = await ApiServers.start(t, 2);
  const client = new ShoalClient({ servers: [...servers.addresses].reverse(), credentials: insecureCredentials });
  t.teardown(() => client.close());
  const nodeName = `bin-${randomBytes(4).toString('hex')}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'shoal-agent-bin-'));
  const tag = `shoal-test/dropped:${randomBytes(4).toString('hex')}`;
  const procs: ChildProcess[] = [];
  t.teardown(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await removeContainersByLabel(`${Label.Node}=${nodeName}`);
    await run(DOCKER_CLI, ['rmi', tag]).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  });
  await mkdir(join(dataDir, 'images'), { recursive: true });
  await run(DOCKER_CLI, ['tag', image, tag]);
  await run(DOCKER_CLI, ['save', '-o', join(dataDir, 'images', 'dropped.tar'), tag]);
  await run(DOCKER_CLI, ['rmi', tag]);
  const [httpPort] = await freePorts(1);
  const agent = spawn(process.execPath, ['bin/shoal-agent.js', 'run', '--server', servers.addresses.join(','), '--node-name', nodeName, '--data-dir', dataDir, '--http-address', `127.0.0.1:${httpPort}`, '--log-level', 'warn', '--proxy-mode', 'none', '--pod-network', 'none'], { stdio: ['ignore', 'ignore', 'inherit'] });
  procs.push(agent);
  await until(t, 'the dropped tarball is loaded', async () => (await run(DOCKER_CLI, ['images', '-q', tag])).stdout.trim() !== '', 90_000);
  const record = JSON.parse(await readFile(join(dataDir, 'images', LOADED_RECORD), 'utf8')) as Record<string, { file: string; images: string[] }>;
  t.same(Object.values(record).map((e) => [e.file, e.images]), [['dropped.tar', [tag]]], 'recorded once by content hash');
  await client.resource<Pod>('pods', 'default').create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bin-pod' }, spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: tag, imagePullPolicy: 'Never', command: ['sh', '-c', 'echo from-binary; sleep 3600'] }] } } as unknown as Pod);
  let text = '';
  await until(t, 'logs through the binary agent\'s tunnel', async () => {
    const chunks: Uint8Array[] = [];
    await client.streams.podLogs({ namespace: 'default', name: 'bin-pod' }, (b) => void chunks.push(b)).catch(() => undefined);
    text = Buffer.concat(chunks).toString();
    return text.includes('from-binary');
  }, 90_000);
  t.equal(text, 'from-binary\n', 'the pod ran from the loaded image and its log came back');
  const code = await client.streams.podExec({ namespace: 'default', name: 'bin-pod', command: ['sh', '-c', 'exit 7'] }, () => undefined, () => undefined);
  t.equal(code, 7, 'exec through the second API server works too (tunnels to both)');
});
