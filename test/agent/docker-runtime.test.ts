// DockerRuntime - the seam against a real engine: create with labels, list by label, exec, logs,
// stop with a grace period, remove, image present, load from a `docker save` tarball.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import t from 'tap';
import { ContainerStateKind, DockerRuntime, Label } from '../../node-agent/index.js';
import { requireDocker } from './helpers/agent-rig.js';
import { DOCKER_CLI, ensureTestImage, removeContainersByLabel } from './helpers/test-image.js';

t.test('docker runtime - container lifecycle by label', async (t) => {
  if (!(await requireDocker(t))) return;
  const image = await ensureTestImage();
  const rt = new DockerRuntime();
  const node = `rt-${randomBytes(4).toString('hex')}`;
  t.teardown(() => removeContainersByLabel(`${Label.Node}=${node}`));
  const labels = { [Label.Node]: node, [Label.PodName]: 'p' };
  const id = await rt.create({ name: `shoal_rt_${node}`, image, labels, entrypoint: ['sh', '-c'], cmd: ['echo started; exec sleep 3600'], env: ['A=1'], mounts: [], ports: [], nanoCpus: 0, memoryBytes: 0 });
  const created = await rt.list(labels);
  t.same(created.map((c) => [c.id, c.state]), [[id, ContainerStateKind.Created]]);
  await rt.start(id);
  const info = await rt.inspect(id);
  t.equal(info.state, ContainerStateKind.Running);
  t.match(info.ip, /^\d+\.\d+\.\d+\.\d+$/);
  t.equal(info.labels[Label.Node], node);
  const ex = await rt.exec(id, ['sh', '-c', 'echo $A; exit 3'], 10_000);
  t.same(ex, { exitCode: 3, output: '1\n' });
  t.equal(await rt.logs(id), 'started\n');
  await rt.stop(id, 1);
  const stopped = await rt.inspect(id);
  t.equal(stopped.state, ContainerStateKind.Exited);
  t.equal(stopped.exitCode, 137, 'PID 1 ignores SIGTERM: SIGKILL after the grace period');
  t.ok(stopped.finishedAt !== undefined && stopped.startedAt !== undefined && stopped.finishedAt >= stopped.startedAt);
  await rt.stop(id, 1);
  t.pass('stopping a stopped container is fine');
  await rt.remove(id);
  await rt.remove(id);
  t.same(await rt.list(labels), [], 'removed (twice is fine)');
});

t.test('docker runtime - images: present, absent, loaded from a tarball', async (t) => {
  if (!(await requireDocker(t))) return;
  const image = await ensureTestImage();
  const rt = new DockerRuntime();
  t.equal(await rt.imagePresent(image), true);
  t.equal(await rt.imagePresent('shoal-test/absent:0'), false);
  const tag = `shoal-test/loaded:${randomBytes(3).toString('hex')}`;
  await new Promise<void>((resolve, reject) => {
    const p = spawn(DOCKER_CLI, ['tag', image, tag]);
    p.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`docker tag exited ${c}`))));
  });
  const save = spawn(DOCKER_CLI, ['save', tag]);
  const chunks: Buffer[] = [];
  save.stdout.on('data', (b: Buffer) => chunks.push(b));
  await new Promise<void>((resolve) => save.on('close', () => resolve()));
  // Untag first so the load really brings it back.
  await new Promise<void>((resolve) => spawn(DOCKER_CLI, ['rmi', tag]).on('exit', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => spawn(DOCKER_CLI, ['rmi', tag]).on('exit', () => resolve())));
  t.equal(await rt.imagePresent(tag), false, 'untagged before the load');
  const loaded = await rt.loadImage(Readable.from([Buffer.concat(chunks)]));
  t.same(loaded, [tag]);
  t.equal(await rt.imagePresent(tag), true);
});
