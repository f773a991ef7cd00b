// The quota controller against an in-process API server: admission charges status.used before a
// pod is written; the controller lowers it again when pods go away or turn terminal, so a refused
// pod fits after one is deleted; an over-count (a charge whose object was never written) is
// corrected.
import t from 'tap';
import type { Pod, ResourceQuota } from '../../api/index.js';
import type { ShoalClient } from '../../client/index.js';
import { startCluster, startManager, until } from './helpers/cluster.js';

const pod = (name: string, ns: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }) as unknown as Pod;

async function usedPods(client: ShoalClient, ns: string): Promise<string | undefined> {
  return (await client.resource<ResourceQuota>('resourcequotas', ns).get('q')).status?.used?.pods;
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the create to be refused');
}

t.test('resourcequota - after deleting a pod a new one is admitted; terminal pods free their slot', async (t) => {
  const { client } = await startCluster(t);
  const ns = 'quota-a';
  await client.resource('namespaces').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as never);
  await client.resource<ResourceQuota>('resourcequotas', ns).create({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: ns }, spec: { hard: { pods: '2' } } } as ResourceQuota);
  startManager(t, client, { controllers: ['resourcequota'] });
  const pods = client.resource<Pod>('pods', ns);
  await pods.create(pod('p1', ns));
  await pods.create(pod('p2', ns));
  t.match(await refusal(pods.create(pod('p3', ns))), /exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2/);

  await pods.delete('p1', { gracePeriodSeconds: 0 });
  await until(t, 'the controller to recount 1 pod', async () => (await usedPods(client, ns)) === '1');
  await pods.create(pod('p3', ns));
  t.pass('a new pod is admitted after one was deleted');
  t.match(await refusal(pods.create(pod('p4', ns))), /exceeded quota: q/, 'full again');

  const p2 = await pods.get('p2');
  await pods.updateStatus({ ...p2, status: { ...(p2.status ?? {}), phase: 'Succeeded' } } as Pod);
  await until(t, 'a Succeeded pod to stop counting', async () => (await usedPods(client, ns)) === '1');
  await pods.create(pod('p4', ns));
  t.pass('a terminal pod frees its slot');
});

t.test('resourcequota - an over-count is corrected and status.hard follows spec.hard', async (t) => {
  const { client } = await startCluster(t);
  const ns = 'quota-b';
  await client.resource('namespaces').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as never);
  const quotas = client.resource<ResourceQuota>('resourcequotas', ns);
  // As if admission had charged 3 pods whose writes then failed.
  const q = await quotas.create({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: ns }, spec: { hard: { pods: '3', 'count/configmaps': '5' } } } as ResourceQuota);
  await quotas.updateStatus({ ...q, status: { hard: { pods: '3', 'count/configmaps': '5' }, used: { pods: '3', 'count/configmaps': '0' } } } as ResourceQuota);
  await client.resource('configmaps', ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: ns } } as never);
  startManager(t, client, { controllers: ['resourcequota'] });
  await until(t, 'used recounted from what exists', async () => {
    const s = (await quotas.get('q')).status;
    return s?.used?.pods === '0' && s.used['count/configmaps'] === '1';
  });
  const cur = await quotas.get('q');
  await quotas.update({ ...cur, spec: { ...cur.spec, hard: { pods: '1' } } });
  await until(t, 'status.hard follows spec.hard', async () => {
    const s = (await quotas.get('q')).status;
    return JSON.stringify(s?.hard) === '{"pods":"1"}' && JSON.stringify(s?.used) === '{"pods":"0"}';
  });
  t.pass('recounted');
});
