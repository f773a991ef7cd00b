// The scheduler and controller manager inside shoal-control-plane (--control-loops=true) on a real
// 3-process control plane with two simulated nodes (Node objects whose Lease in kube-node-lease
// this test renews, + a fake kubelet that marks bound pods Running): a Deployment's pods are
// created by the controllers and bound by the scheduler; then the process holding the
// controller-manager lease is killed with SIGKILL while the Deployment scales, another host takes
// over, and the Deployment converges with no duplicate pods. Every wait explains, on timeout, the
// state it found (lease holders, nodes, pods, the members' log tails).
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import type { Deployment, Lease, Node, Pod, ReplicaSet, Secret, ServiceAccount } from '../../api/index.js';
import { authenticateServiceAccountToken } from '../../control-plane/apiserver/security/index.js';
import { isAlreadyExists, ShoalClient } from '../../client/index.js';
import { ControlPlaneCluster } from '../apiserver/helpers/control-plane-cluster.js';
import { deployment } from './helpers/workloads.js';
import { until } from './helpers/cluster.js';

const NODES = ['sim-1', 'sim-2'];
const NODE_LEASES = 'kube-node-lease';
const LOOP_LEASES = ['kube-scheduler', 'kube-controller-manager'];

/** A member's JSON log line, shortened to time, component, message and error. */
function logLine(line: string): string {
  try {
    const o = JSON.parse(line) as { time?: string; component?: string; msg?: string; err?: unknown; identity?: string };
    const err = o.err === undefined ? '' : ` err=${typeof o.err === 'string' ? o.err : JSON.stringify(o.err)}`;
    return `  ${o.time ?? ''} ${o.component ?? ''} ${o.msg ?? ''}${o.identity === undefined ? '' : ` (${o.identity})`}${err}`.slice(0, 300);
  } catch {
    return `  ${line.slice(0, 300)}`;
  }
}

const ignoreExists = (e: unknown): void => {
  if (!isAlreadyExists(e)) throw e;
};

/** Registers the simulated nodes like an agent does (Node, then its status, then its Lease) and heartbeats them until teardown. */
async function simulateNodes(t: Test, client: ShoalClient): Promise<void> {
  await client.resource('namespaces', '').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NODE_LEASES } }).catch(ignoreExists);
  const leases = client.resource<Lease>('leases', NODE_LEASES);
  for (const name of NODES) {
    await client.resource('nodes').create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {} }).catch(ignoreExists);
    const alloc = { cpu: '4', memory: '8Gi', pods: '110' };
    await client.resource<Node>('nodes').patchStatus(name, { status: { capacity: alloc, allocatable: alloc, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: new Date().toISOString() }] } });
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString() };
    await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: NODE_LEASES }, spec } as Lease).catch(ignoreExists);
  }
  // The agent's heartbeat: without it the node lifecycle controller rightly marks the nodes
  // Unknown after its 40 s grace period and the scheduler stops placing pods there.
  const beat = setInterval(() => {
    for (const name of NODES) void leases.patch(name, { spec: { renewTime: new Date().toISOString() } }).catch(() => undefined);
  }, 2000);
  t.teardown(() => clearInterval(beat));
}

t.test('control loops - a Deployment runs on simulated nodes and survives kill -9 of the lease holder', { timeout: 360_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-loops-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'sa.key');
  const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(keyFile, pem, { mode: 0o600 });
  const cp = await ControlPlaneCluster.start(t, { apiArgs: ['--control-loops=true', '--service-account-private-key-file', keyFile] });
  const client = new ShoalClient({ servers: cp.apiEndpoints(), namespace: 'default' });
  t.teardown(() => client.close());
  await simulateNodes(t, client);

  // The fake kubelet: bound pods become Running and Ready; deleted pods go at once.
  const pods = client.informer<Pod>('pods', { namespace: '' });
  let ip = 1;
  let chain: Promise<void> = Promise.resolve();
  const step = (p: Pod): void => {
    chain = chain
      .then(async () => {
        const rc = client.resource<Pod>('pods', p.metadata.namespace ?? '');
        if (p.metadata.deletionTimestamp !== undefined) return void (await rc.delete(p.metadata.name ?? '', { gracePeriodSeconds: 0 }));
        if ((p.spec.nodeName ?? '') === '' || p.status?.phase === 'Running') return;
        await rc.patchStatus(p.metadata.name ?? '', { status: { phase: 'Running', podIP: `10.9.0.${ip++}`, conditions: [{ type: 'Ready', status: 'True' }] } });
      })
      .catch(() => undefined);
  };
  pods.addHandlers({ onAdd: step, onUpdate: (_o, p) => step(p) });
  pods.start();
  t.teardown(() => pods.stop());
  await pods.waitForSync({ timeoutMs: 30_000 });

  const web = (): Pod[] => pods.cache.list().filter((p) => p.metadata.labels?.app === 'web' && p.metadata.deletionTimestamp === undefined);
  const running = (): Pod[] => web().filter((p) => p.status?.phase === 'Running' && NODES.includes(p.spec.nodeName ?? ''));
  const holderOf = async (name: string): Promise<string> => (await client.resource<Lease>('leases', 'kube-system').get(name)).spec?.holderIdentity ?? '';

  /** What a failed wait reports: who leads, what the nodes and pods look like, and what each member logged last. */
  const explain = async (): Promise<string> => {
    const out: string[] = [];
    for (const l of LOOP_LEASES) {
      const lease = await client.resource<Lease>('leases', 'kube-system').get(l).catch((e: unknown) => (e as Error).message);
      out.push(typeof lease === 'string' ? `lease ${l}: ${lease}` : `lease ${l}: holder=${lease.spec.holderIdentity ?? ''} renewed=${lease.spec.renewTime ?? ''} transitions=${lease.spec.leaseTransitions ?? 0}`);
    }
    for (const n of (await client.resource<Node>('nodes').list({}).catch(() => ({ items: [] as Node[] }))).items) {
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
      out.push(`node ${n.metadata.name ?? ''}: Ready=${ready?.status ?? '-'} ${ready?.reason ?? ''} taints=[${(n.spec.taints ?? []).map((x) => `${x.key}:${x.effect}`).join(',')}]`);
    }
    for (const p of pods.cache.list()) {
      const sched = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
      out.push(`pod ${p.metadata.name ?? ''}: phase=${p.status?.phase ?? '-'} node=${p.spec.nodeName ?? '-'}${p.metadata.deletionTimestamp === undefined ? '' : ' deleting'}${sched?.status === 'False' ? ` unscheduled: ${sched.message ?? ''}` : ''}`);
    }
    for (const m of cp.names) {
      out.push(`--- ${m} (${cp.isRunning(m) ? 'running' : 'stopped'}) log tail:`);
      out.push(...cp.logTail(m, 15, (l) => !l.includes('"level":20')).map(logLine));
    }
    return out.join('\n');
  };

  // The ServiceAccount controller signs a token Secret for each account with the key it was given.
  await until(t, 'the default ServiceAccount token Secret', async () => (await client.resource<Secret>('secrets', 'default').get('default-token').catch(() => undefined)) !== undefined, 60_000, explain);
  const sa = await client.resource<ServiceAccount>('serviceaccounts', 'default').get('default');
  const token = Buffer.from((await client.resource<Secret>('secrets', 'default').get('default-token')).data?.['token'] ?? '', 'base64').toString('utf8');
  const authn = await authenticateServiceAccountToken(token, { publicKeys: [createPublicKey(pem)], issuer: 'shoal', audiences: ['shoal'], now: new Date(), lookup: () => ({ uid: sa.metadata.uid ?? '' }) });
  t.match(authn, { kind: 'authenticated', user: { name: 'system:serviceaccount:default:default' } }, 'its token authenticates as the account');

  await client.resource<Deployment>('deployments').create(deployment('web', 4, 'busybox:1.36'));
  await until(t, '4 pods bound by the scheduler and running', () => running().length === 4, 120_000, explain);
  t.same(new Set(running().map((p) => p.spec.nodeName)), new Set(NODES), 'the scheduler spread the pods over both nodes');
  // Events are written after the binding, in the background: wait for them rather than race them.
  await until(t, 'Scheduled events for the 4 pods', async () => ((await client.resource('events').list({ fieldSelector: 'reason=Scheduled' }).catch(() => undefined))?.items.length ?? 0) >= 4, 60_000, explain);

  const holder = await holderOf('kube-controller-manager');
  const member = holder.split('@')[0] ?? '';
  t.ok(cp.names.includes(member), `the controller-manager lease is held by a member (${holder})`);

  await client.resource<Deployment>('deployments').patch('web', { spec: { replicas: 8 } });
  await cp.kill(member, 'SIGKILL');
  await until(
    t,
    'another host holds the controller-manager lease',
    async () => {
      const h = await holderOf('kube-controller-manager').catch(() => holder);
      return h !== '' && h.split('@')[0] !== member;
    },
    120_000,
    explain,
  );
  await until(t, '8 pods running after the takeover', () => running().length === 8, 120_000, explain);
  const all = await client.resource<Pod>('pods').list({ labelSelector: 'app=web' });
  t.equal(all.items.filter((p) => p.metadata.deletionTimestamp === undefined).length, 8, 'exactly 8 pods: no duplicates');
  const rss = await client.resource<ReplicaSet>('replicasets').list({});
  t.equal(rss.items.length, 1, 'one ReplicaSet');
  await until(t, 'the Deployment reports 8 available', async () => (await client.resource<Deployment>('deployments').get('web')).status?.availableReplicas === 8, 60_000, explain);
});
