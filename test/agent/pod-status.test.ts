// Pod status - phase, conditions and container states computed from observations (table-driven).
import t from 'tap';
import { computePodStatus, ContainerStateKind, podPhase } from '../../node-agent/index.js';
import type { ContainerInfo, ContainerObservation } from '../../node-agent/index.js';
import { makePod } from './helpers/pods.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
let n = 0;
const running = (ip = '172.17.0.2'): ContainerInfo => ({ id: `id${++n}`, name: 'x', image: 'img', imageId: 'sha256:1', labels: {}, state: ContainerStateKind.Running, exitCode: 0, oomKilled: false, startedAt: T0, createdAt: T0, ip });
const exited = (exitCode: number, oomKilled = false): ContainerInfo => ({ ...running(''), state: ContainerStateKind.Exited, exitCode, oomKilled, finishedAt: T0 + 5000 });
const obs = (name: string, current: ContainerInfo | undefined, extra: Partial<ContainerObservation> = {}): ContainerObservation => ({
  name,
  ...(current ? { current } : {}),
  restartCount: 0,
  ready: current?.state === ContainerStateKind.Running,
  started: current?.state === ContainerStateKind.Running,
  ...extra,
});

const cases: [string, 'Always' | 'OnFailure' | 'Never', ContainerObservation[], ContainerObservation[], string][] = [
  ['nothing created yet', 'Always', [], [obs('a', undefined)], 'Pending'],
  ['one running', 'Always', [], [obs('a', running())], 'Running'],
  ['one running, one not created', 'Always', [], [obs('a', running()), obs('b', undefined)], 'Pending'],
  ['init running', 'Always', [obs('i', running())], [obs('a', undefined)], 'Pending'],
  ['init failed, Never', 'Never', [obs('i', exited(1))], [obs('a', undefined)], 'Failed'],
  ['init failed, OnFailure (retried)', 'OnFailure', [obs('i', exited(1))], [obs('a', undefined)], 'Pending'],
  ['all exited 0, Never', 'Never', [], [obs('a', exited(0)), obs('b', exited(0))], 'Succeeded'],
  ['one failed, Never', 'Never', [], [obs('a', exited(0)), obs('b', exited(2))], 'Failed'],
  ['all exited 0, OnFailure', 'OnFailure', [], [obs('a', exited(0))], 'Succeeded'],
  ['failed, OnFailure (restarting)', 'OnFailure', [], [obs('a', exited(2))], 'Running'],
  ['exited 0, Always (restarting)', 'Always', [], [obs('a', exited(0))], 'Running'],
  ['in backoff after restarts', 'Always', [], [obs('a', undefined, { restartCount: 2 })], 'Running'],
];

t.test('pod status - phase per restartPolicy and container states', async (t) => {
  for (const [name, policy, init, app, phase] of cases) {
    const pod = makePod('p', { restartPolicy: policy, containers: app.map((o) => ({ name: o.name, image: 'img' })), ...(init.length ? { initContainers: init.map((o) => ({ name: o.name, image: 'img' })) } : {}) });
    t.equal(podPhase(pod, init, app), phase, name);
  }
});

t.test('pod status - container states, reasons and conditions', async (t) => {
  const pod = makePod('p', { restartPolicy: 'Always', containers: [{ name: 'a', image: 'img' }, { name: 'b', image: 'img' }, { name: 'c', image: 'img' }, { name: 'd', image: 'img' }] });
  const s = computePodStatus({
    pod,
    init: [],
    app: [
      obs('a', running('172.17.0.9')),
      obs('b', exited(137, true), { restartCount: 3, waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } }),
      obs('c', undefined, { waiting: { reason: 'ErrImageNeverPull' } }),
      obs('d', running(), { ready: false }),
    ],
    hostIP: '192.0.2.1',
    now: T0 + 10_000,
  });
  const st = s.containerStatuses ?? [];
  t.same(st[0]?.state, { running: { startedAt: '2026-01-01T00:00:00Z' } });
  t.equal(st[0]?.ready, true);
  t.equal(st[1]?.state?.waiting?.reason, 'CrashLoopBackOff');
  t.equal(st[1]?.lastState?.terminated?.reason, 'OOMKilled');
  t.equal(st[1]?.lastState?.terminated?.exitCode, 137);
  t.equal(st[1]?.restartCount, 3);
  t.equal(st[2]?.state?.waiting?.reason, 'ErrImageNeverPull');
  t.equal(st[3]?.ready, false);
  t.equal(s.podIP, '172.17.0.9', 'pod IP is the first running app container\'s');
  t.equal(s.hostIP, '192.0.2.1');
  const cond = Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c.status]));
  t.same(cond, { Initialized: 'True', Ready: 'False', ContainersReady: 'False', PodScheduled: 'True' });
  t.equal(s.startTime, '2026-01-01T00:00:10Z');
});

t.test('pod status - terminated reasons and unchanged transition times', async (t) => {
  const pod = makePod('p', { restartPolicy: 'Never', containers: [{ name: 'a', image: 'img' }, { name: 'b', image: 'img' }] });
  const input = { pod, init: [], app: [obs('a', exited(0)), obs('b', exited(1))], hostIP: '', now: T0 };
  const s1 = computePodStatus(input);
  t.same(s1.containerStatuses?.map((c) => c.state?.terminated?.reason), ['Completed', 'Error']);
  t.equal(s1.phase, 'Failed');
  const later = computePodStatus({ ...input, pod: { ...pod, status: s1 } as typeof pod, now: T0 + 60_000 });
  t.same(later, s1, 'the same observations later give the same status (no write)');
});

t.test('status patch - agent-owned fields the new status lacks are cleared', async (t) => {
  const { statusMergePatch } = await import('../../node-agent/index.js');
  t.same(statusMergePatch({ phase: 'Pending', containerStatuses: [] }), {
    phase: 'Pending',
    containerStatuses: [],
    conditions: null,
    message: null,
    reason: null,
    hostIP: null,
    hostIPs: null,
    podIP: null,
    podIPs: null,
    startTime: null,
    initContainerStatuses: null,
  });
});
