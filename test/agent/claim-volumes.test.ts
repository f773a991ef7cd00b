// persistentVolumeClaim volumes (StatefulSet local volumes) - FakeRuntime-driven: the claim is a
// dir under <data-dir>/volumes/<namespace>/<claim>, bind-mounted read-write (readOnly honoured),
// kept when the pod goes, found again by the next pod of the same claim.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Pod } from '../../api/index.js';
import { MemoryEventSink } from '../../node-agent/events.js';
import { claimDirFor } from '../../node-agent/pod/volumes.js';
import { PodWorker } from '../../node-agent/pod/pod-worker.js';
import { FakeRuntime } from '../../node-agent/runtime/index.js';
import type { ContainerSpec, Mount } from '../../node-agent/runtime/index.js';
import { ManualClock } from './helpers/manual-clock.js';
import { makePod } from './helpers/pods.js';
import { workerDeps } from './helpers/worker-deps.js';

const IMAGE = 'busybox:1';

/** A worker for `pod` on a FakeRuntime sharing `dataDir`; `specs` collects every started spec. */
function worker(dataDir: string, pod: Pod, specs: ContainerSpec[], deleted: string[] = []) {
  const clock = new ManualClock();
  const runtime = new FakeRuntime({ clock, images: [IMAGE], behaviour: (s) => (specs.push(s), {}) });
  const w = new PodWorker(
    workerDeps({ runtime, clock, dataDir, config: { configMap: async () => undefined, secret: async () => undefined }, events: new MemoryEventSink(), statuses: [], deleted }),
    pod,
  );
  return { w, runtime };
}

const claimPod = (name: string, readOnly?: boolean, mountReadOnly?: boolean) =>
  makePod(
    name,
    {
      containers: [{ name: 'c', image: IMAGE, volumeMounts: [{ name: 'data', mountPath: '/data', ...(mountReadOnly ? { readOnly: true } : {}) }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0', ...(readOnly !== undefined ? { readOnly } : {}) } }],
    },
    'node-a',
    'shop',
  );

const mountOf = (specs: ContainerSpec[]): Mount | undefined => specs.at(-1)?.mounts.find((m) => m.containerPath === '/data');

t.test('claim volume - a dir under <data-dir>/volumes/<ns>/<claim>, read-write, kept after the pod is deleted', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'shoal-claims-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const specs: ContainerSpec[] = [];
  const deleted: string[] = [];
  const pod = claimPod('web-0');
  const a = worker(dataDir, pod, specs, deleted);
  await a.w.sync();
  const dir = join(dataDir, 'volumes', 'shop', 'data-web-0');
  t.same(mountOf(specs), { hostPath: dir, containerPath: '/data', readOnly: false }, 'bind-mounted read-write');
  t.equal((await stat(dir)).mode & 0o777, 0o777, 'the claim dir is 0777');
  t.equal((await stat(join(dataDir, 'volumes'))).mode & 0o777, 0o700, 'the volumes root is 0700');
  t.equal((await stat(join(dataDir, 'volumes', 'shop'))).mode & 0o777, 0o700, 'the namespace dir is 0700');
  await writeFile(join(dir, 'state'), 'kept');

  a.w.update({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 } } as Pod);
  t.equal(await a.w.sync(), 'terminated');
  t.same(deleted, ['web-0']);
  t.notOk(existsSync(join(dataDir, 'pods', pod.metadata.uid ?? '')), "the pod's own dir is gone");
  t.equal(await readFile(join(dir, 'state'), 'utf8'), 'kept', "the claim's data is kept");

  // The StatefulSet recreates web-0 (a new uid) on the same node: same dir, same data.
  const again = claimPod('web-0');
  const specs2: ContainerSpec[] = [];
  await worker(dataDir, again, specs2).w.sync();
  t.equal(mountOf(specs2)?.hostPath, dir, 'the recreated pod mounts the same dir');
  t.equal(await readFile(join(dir, 'state'), 'utf8'), 'kept');
});

t.test('claim volume - readOnly on the volume or on the mount makes a read-only mount', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'shoal-claims-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  for (const [name, ro, mountRo] of [['vol-ro', true, false], ['mount-ro', false, true]] as const) {
    const specs: ContainerSpec[] = [];
    await worker(dataDir, claimPod(name, ro, mountRo), specs).w.sync();
    t.equal(mountOf(specs)?.readOnly, true, name);
  }
});

t.test('claim volume - a claim name that is not a DNS subdomain never becomes a path', async (t) => {
  for (const bad of ['..', '../etc', 'a/b', 'UPPER', '', 'a'.repeat(254)]) t.equal(claimDirFor('/v', 'ns', bad), undefined, JSON.stringify(bad).slice(0, 20));
  t.equal(claimDirFor('/v', 'ns', 'data-web-0'), '/v/ns/data-web-0');
});
