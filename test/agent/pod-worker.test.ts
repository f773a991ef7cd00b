// Pod worker - FakeRuntime-driven: init containers in order, restarts per policy with the
// crash-loop backoff, probes, image policies, config errors, graceful deletion.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import type { Pod, PodStatus } from '../../api/index.js';
import { MemoryEventSink } from '../../node-agent/events.js';
import { PodWorker } from '../../node-agent/pod/pod-worker.js';
import type { ConfigSource } from '../../node-agent/pod/config-data.js';
import { FakeRuntime } from '../../node-agent/runtime/index.js';
import type { FakeBehaviour, ContainerSpec } from '../../node-agent/runtime/index.js';
import { ManualClock } from './helpers/manual-clock.js';
import { makePod } from './helpers/pods.js';
import { workerDeps } from './helpers/worker-deps.js';

const IMAGE = 'busybox:1';
const noConfig: ConfigSource = { configMap: async () => undefined, secret: async () => undefined };

interface Rig {
  clock: ManualClock;
  runtime: FakeRuntime;
  events: MemoryEventSink;
  worker: PodWorker;
  statuses: PodStatus[];
  deleted: string[];
  last(): PodStatus;
}

async function rig(t: Test, pod: Pod, opts: { behaviour?: (s: ContainerSpec, n: number) => FakeBehaviour; exec?: ConstructorParameters<typeof FakeRuntime>[0]['exec']; images?: string[]; config?: ConfigSource } = {}): Promise<Rig> {
  const dataDir = await mkdtemp(join(tmpdir(), 'shoal-worker-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const clock = new ManualClock();
  const runtime = new FakeRuntime({ clock, images: opts.images ?? [IMAGE], ...(opts.behaviour ? { behaviour: opts.behaviour } : {}), ...(opts.exec ? { exec: opts.exec } : {}) });
  const events = new MemoryEventSink();
  const statuses: PodStatus[] = [];
  const deleted: string[] = [];
  const worker = new PodWorker(
    workerDeps({ runtime, clock, dataDir, config: opts.config ?? noConfig, events, statuses, deleted }),
    pod,
  );
  return { clock, runtime, events, worker, statuses, deleted, last: () => statuses[statuses.length - 1] ?? {} };
}

const state = (s: PodStatus, i = 0) => {
  const st = s.containerStatuses?.[i]?.state ?? {};
  return st.running ? 'running' : st.terminated ? `terminated:${st.terminated.reason}` : `waiting:${st.waiting?.reason}`;
};

t.test('pod worker - a pod starts, runs and becomes Ready', async (t) => {
  const r = await rig(t, makePod('web', { containers: [{ name: 'c', image: IMAGE }] }));
  await r.worker.sync();
  t.equal(r.last().phase, 'Running');
  t.equal(state(r.last()), 'running');
  t.equal(r.last().conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  t.match(r.last().podIP, /^10\.88\./);
  t.same(r.events.reasons(), ['Pulled', 'Created', 'Started']);
  const n = r.statuses.length;
  await r.worker.sync();
  t.equal(r.statuses.length, n, 'an unchanged status is not written again');
});

t.test('pod worker - init containers run in order before the app containers', async (t) => {
  const r = await rig(t, makePod('p', { initContainers: [{ name: 'i1', image: IMAGE }, { name: 'i2', image: IMAGE }], containers: [{ name: 'c', image: IMAGE }] }), {
    behaviour: (s) => (s.labels['io.shoal.container.kind'] === 'init' ? { exitAfterMs: 1000, exitCode: 0 } : {}),
  });
  await r.worker.sync();
  t.same(r.runtime.calls.filter((c) => c.startsWith('start')).length, 1);
  t.equal(r.last().phase, 'Pending');
  t.equal(r.last().conditions?.find((c) => c.type === 'Initialized')?.status, 'False');
  r.clock.advance(1000);
  await r.worker.sync();
  r.clock.advance(1000);
  await r.worker.sync();
  await r.worker.sync();
  t.same(r.runtime.calls.filter((c) => c.startsWith('start')).map((c) => c.split('_')[1]), ['i1', 'i2', 'c']);
  t.equal(r.last().phase, 'Running');
  t.equal(r.last().initContainerStatuses?.[1]?.state?.terminated?.reason, 'Completed');
});

t.test('pod worker - restartPolicy decides what runs again; backoff grows 0, 10 s, 20 s', async (t) => {
  const r = await rig(t, makePod('crash', { containers: [{ name: 'c', image: IMAGE }], restartPolicy: 'Always' }), { behaviour: () => ({ exitAfterMs: 1000, exitCode: 3 }) });
  await r.worker.sync();
  r.clock.advance(1000);
  await r.worker.sync(); // exit 1: restarted at once
  t.equal(r.last().containerStatuses?.[0]?.restartCount, 1);
  t.equal(state(r.last()), 'running');
  t.equal(r.last().containerStatuses?.[0]?.lastState?.terminated?.exitCode, 3);
  r.clock.advance(1000);
  await r.worker.sync(); // exit 2: 10 s backoff
  t.equal(state(r.last()), 'waiting:CrashLoopBackOff');
  t.equal(r.last().phase, 'Running');
  r.clock.advance(9000);
  await r.worker.sync();
  t.equal(r.last().containerStatuses?.[0]?.restartCount, 1, 'still backing off after 9 s');
  r.clock.advance(1000);
  await r.worker.sync();
  t.equal(r.last().containerStatuses?.[0]?.restartCount, 2, 'restarted after 10 s');
  r.clock.advance(1000);
  await r.worker.sync();
  r.clock.advance(19_000);
  await r.worker.sync();
  t.equal(r.last().containerStatuses?.[0]?.restartCount, 2, 'still backing off after 19 s');
  r.clock.advance(1000);
  await r.worker.sync();
  t.equal(r.last().containerStatuses?.[0]?.restartCount, 3, 'restarted after 20 s');
  t.ok(r.events.reasons().includes('BackOff'));
  t.ok(r.runtime.calls.filter((c) => c.startsWith('remove')).length >= 1, 'instances older than the previous one are removed');
});

t.test('pod worker - Never and OnFailure: phases Succeeded and Failed', async (t) => {
  for (const [policy, code, phase, restarts] of [
    ['Never', 0, 'Succeeded', 0],
    ['Never', 2, 'Failed', 0],
    ['OnFailure', 0, 'Succeeded', 0],
    ['OnFailure', 2, 'Running', 1],
  ] as const) {
    const r = await rig(t, makePod('p', { containers: [{ name: 'c', image: IMAGE }], restartPolicy: policy }), { behaviour: (_s, n) => ({ exitAfterMs: 1000, exitCode: n === 1 ? code : 0 }) });
    await r.worker.sync();
    r.clock.advance(1000);
    await r.worker.sync();
    t.equal(r.last().phase, phase, `${policy} exit ${code} → ${phase}`);
    t.equal(r.last().containerStatuses?.[0]?.restartCount, restarts);
  }
});

t.test('pod worker - OOMKilled shows as the termination reason', async (t) => {
  const r = await rig(t, makePod('oom', { containers: [{ name: 'c', image: IMAGE }], restartPolicy: 'Never' }), { behaviour: () => ({ exitAfterMs: 500, exitCode: 137, oomKilled: true }) });
  await r.worker.sync();
  r.clock.advance(500);
  await r.worker.sync();
  t.equal(state(r.last()), 'terminated:OOMKilled');
  t.equal(r.last().phase, 'Failed');
});

t.test('pod worker - a failing liveness probe kills and restarts; a failing readiness probe unreadies', async (t) => {
  let healthy = true;
  const r = await rig(
    t,
    makePod('probe', {
      containers: [
        {
          name: 'c',
          image: IMAGE,
          livenessProbe: { exec: { command: ['live'] }, periodSeconds: 1, failureThreshold: 2 },
          readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 1 },
        },
      ],
    }),
    { exec: (_c, cmd) => ({ exitCode: cmd[0] === 'ready' ? (healthy ? 0 : 1) : healthy ? 0 : 1, output: '' }) },
  );
  await r.worker.sync();
  t.equal(r.last().conditions?.find((c) => c.type === 'Ready')?.status, 'False', 'not ready before the first readiness probe');
  await r.worker.sync();
  t.equal(r.last().conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  healthy = false;
  r.clock.advance(1000);
  await r.worker.sync();
  t.equal(r.last().containerStatuses?.[0]?.restartCount, 0);
  r.clock.advance(1000);
  await r.worker.sync(); // second liveness failure: killed
  t.ok(r.runtime.calls.some((c) => c.startsWith('stop')), 'the container was stopped');
  t.ok(r.events.reasons().includes('Unhealthy'));
  t.ok(r.events.reasons().includes('Killing'));
  healthy = true;
  await r.worker.sync(); // exited → restarted (first restart is immediate)
  t.equal(r.last().containerStatuses?.[0]?.restartCount, 1);
  t.equal(state(r.last()), 'running');
});

t.test('pod worker - readiness failure alone makes the pod not ready without a restart', async (t) => {
  let ready = true;
  const r = await rig(t, makePod('rd', { containers: [{ name: 'c', image: IMAGE, readinessProbe: { exec: { command: ['x'] }, periodSeconds: 1, failureThreshold: 1 } }] }), {
    exec: () => ({ exitCode: ready ? 0 : 1, output: '' }),
  });
  await r.worker.sync();
  await r.worker.sync();
  t.equal(r.last().containerStatuses?.[0]?.ready, true);
  ready = false;
  r.clock.advance(1000);
  await r.worker.sync();
  t.equal(r.last().containerStatuses?.[0]?.ready, false);
  t.equal(r.last().conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  t.equal(r.last().containerStatuses?.[0]?.restartCount, 0);
});

t.test('pod worker - image policies: ErrImageNeverPull, ImagePullBackOff', async (t) => {
  const never = await rig(t, makePod('n', { containers: [{ name: 'c', image: 'absent:1', imagePullPolicy: 'Never' }] }));
  await never.worker.sync();
  t.equal(state(never.last()), 'waiting:ErrImageNeverPull');
  t.equal(never.last().phase, 'Pending');
  const pull = await rig(t, makePod('p', { containers: [{ name: 'c', image: 'absent:1' }] }));
  await pull.worker.sync();
  t.equal(state(pull.last()), 'waiting:ImagePullBackOff');
});

t.test('pod worker - a missing ConfigMap is CreateContainerConfigError; env resolves once it exists', async (t) => {
  let cm: Record<string, string> | undefined;
  const r = await rig(t, makePod('cfg', { containers: [{ name: 'c', image: IMAGE, env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'a' } } }] }] }), {
    config: { configMap: async () => cm, secret: async () => undefined },
  });
  await r.worker.sync();
  t.equal(state(r.last()), 'waiting:CreateContainerConfigError');
  t.match(r.last().containerStatuses?.[0]?.state?.waiting?.message, /configmap "cm" not found/);
  cm = { a: '1' };
  await r.worker.sync();
  t.equal(state(r.last()), 'running');
});

t.test('pod worker - graceful deletion stops with the grace period, then deletes the pod', async (t) => {
  const pod = makePod('del', { containers: [{ name: 'c', image: IMAGE }], terminationGracePeriodSeconds: 7 });
  const r = await rig(t, pod);
  await r.worker.sync();
  r.worker.update({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2026-01-01T00:00:07Z', deletionGracePeriodSeconds: 7 } } as Pod);
  t.equal(await r.worker.sync(), 'terminated');
  t.ok(r.runtime.calls.some((c) => /^stop .* 7$/.test(c)), 'stopped with grace 7');
  t.same(await r.runtime.list({}), []);
  t.same(r.deleted, ['del']);
});

t.test('pod worker - a new worker (restarted agent) keeps backing off where the old one was', async (t) => {
  const pod = makePod('crash2', { containers: [{ name: 'c', image: IMAGE }] });
  const r = await rig(t, pod, { behaviour: () => ({ exitAfterMs: 1000, exitCode: 1 }) });
  await r.worker.sync();
  r.clock.advance(1000);
  await r.worker.sync(); // 1st restart: immediate
  r.clock.advance(1000);
  await r.worker.sync(); // 2nd exit: 10 s
  r.clock.advance(10_000);
  await r.worker.sync(); // 2nd restart
  t.equal(r.last().containerStatuses?.[0]?.restartCount, 2);
  r.clock.advance(1000); // 3rd exit: a fresh worker must wait 20 s, not restart at once
  const fresh = new PodWorker((r.worker as unknown as { deps: ConstructorParameters<typeof PodWorker>[0] }).deps, pod);
  await fresh.sync();
  const running = (await r.runtime.list({})).filter((c) => c.state === 'running');
  t.equal(running.length, 0, 'no immediate restart after the agent restart');
  r.clock.advance(20_000);
  await fresh.sync();
  t.equal((await r.runtime.list({})).filter((c) => c.state === 'running').length, 1, 'restarted after 20 s');
});
