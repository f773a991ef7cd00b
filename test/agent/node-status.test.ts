// Node status - capacity, allocatable, pressure conditions and labels from host facts (pure);
// container env resolution; the CLI's argument checks.
import t from 'tap';
import { buildNodeStatus, containerEnv, defaultReservations, defaultThresholds, kubeArch, nodeLabels, parseRunArgs } from '../../node-agent/index.js';
import type { HostFacts, HostUsage } from '../../node-agent/index.js';
import { makePod } from './helpers/pods.js';

const GiB = 1024 ** 3;
const facts: HostFacts = { hostname: 'pi-1', arch: 'arm64', os: 'linux', osImage: 'Debian 13', kernelVersion: '6.1.0', cpuCores: 4, cpuModel: 'ARM Cortex-A72', memoryBytes: 4 * GiB, rootDiskBytes: 32 * GiB, addresses: ['192.0.2.7'], machineID: 'm', bootID: 'b' };
const calm: HostUsage = { memoryAvailableBytes: 2 * GiB, rootDiskAvailableBytes: 16 * GiB, rootDiskBytes: 32 * GiB, pids: 200, pidMax: 32768 };

const build = (usage: HostUsage, runtimeError = '') =>
  buildNodeStatus({ facts, usage, reservations: defaultReservations, thresholds: defaultThresholds, maxPods: 110, runtimeVersion: 'docker://20.10', runtimeError, agentVersion: 'v', previous: undefined, now: Date.parse('2026-01-01T00:00:00Z') });

t.test('node status - capacity and allocatable', async (t) => {
  const s = build(calm);
  t.same(s.capacity, { cpu: '4', memory: `${4 * 1024 * 1024}Ki`, 'ephemeral-storage': `${32 * 1024 * 1024}Ki`, pods: '110' });
  t.same(s.allocatable, { cpu: '3900m', memory: `${4 * 1024 * 1024 - 100 * 1024}Ki`, 'ephemeral-storage': `${32 * 1024 * 1024}Ki`, pods: '110' });
  t.same(s.addresses, [{ type: 'InternalIP', address: '192.0.2.7' }, { type: 'Hostname', address: 'pi-1' }]);
  t.same(nodeLabels(facts, 'pi-1'), { 'kubernetes.io/arch': 'arm64', 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': 'pi-1' });
});

t.test('node status - conditions from thresholds', async (t) => {
  const conds = (u: HostUsage, err = '') => Object.fromEntries((build(u, err).conditions ?? []).map((c) => [c.type, c.status]));
  t.same(conds(calm), { MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False', Ready: 'True' });
  t.equal(conds({ ...calm, memoryAvailableBytes: 50 * 1024 * 1024 }).MemoryPressure, 'True');
  t.equal(conds({ ...calm, rootDiskAvailableBytes: 1 * GiB }).DiskPressure, 'True');
  t.equal(conds({ ...calm, pids: 30_000 }).PIDPressure, 'True');
  t.equal(conds(calm, 'connect ENOENT /var/run/docker.sock').Ready, 'False');
});

t.test('node status - architecture names', async (t) => {
  t.same(['x64', 'arm64', 'arm', 'aarch64', 'armv7l'].map(kubeArch), ['amd64', 'arm64', 'arm', 'arm64', 'arm']);
});

t.test('container env - envFrom, env overrides, fieldRefs, missing references', async (t) => {
  const pod = makePod('web', { containers: [{ name: 'c', image: 'i' }] });
  const data = { configMaps: new Map([['cm', { A: '1', B: '2' }]]), secrets: new Map([['s', { pw: 'x' }]]) };
  const fields = { podIP: '10.0.0.5', hostIP: '192.0.2.1', nodeName: 'node-a' };
  const c = {
    name: 'c',
    image: 'i',
    imagePullPolicy: 'IfNotPresent' as const,
    envFrom: [{ configMapRef: { name: 'cm' } }],
    env: [
      { name: 'B', value: 'override' },
      { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'pw' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP', apiVersion: 'v1' as const } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace', apiVersion: 'v1' as const } } },
    ],
  };
  t.same(containerEnv(pod, c, data, fields), { ok: true, env: ['A=1', 'B=override', 'PW=x', 'IP=10.0.0.5', 'NS=default'] });
  const missing = containerEnv(pod, { ...c, env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'nope' } } }] }, data, fields);
  t.same(missing, { ok: false, message: "couldn't find key nope in secret default/s" });
  const optional = containerEnv(pod, { ...c, envFrom: [], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'zz', key: 'k', optional: true } } }] }, data, fields);
  t.same(optional, { ok: true, env: [] });
});

t.test('shoal-agent run - argument checks', async (t) => {
  const o = parseRunArgs(['run', '--server', '10.0.0.1:6443,10.0.0.2:6443', '--node-name', 'Pi-1', '--data-dir', '/tmp/x']);
  t.same([o.servers, o.nodeName, o.dataDir, o.httpPort], [['10.0.0.1:6443', '10.0.0.2:6443'], 'pi-1', '/tmp/x', 10250]);
  t.same(parseRunArgs(['run']).servers, [], 'no --server: agent.yaml supplies them');
  t.equal(parseRunArgs(['run']).nodeName, undefined, 'no --node-name: agent.yaml, else the host name');
  t.throws(() => parseRunArgs(['join']), /unknown or missing command "join"/);
  t.throws(() => parseRunArgs(['run', '--server', 'a:1', '--http-address', 'nope']), /--http-address: expected host:port/);
});
