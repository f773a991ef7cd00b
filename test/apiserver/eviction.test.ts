// pods/eviction: a create on the subresource deletes the pod honouring its grace period (or the
// eviction's own), answers NOT_FOUND for other kinds and missing pods, and refuses bodies that
// name another pod.
import t from 'tap';
import type { Pod } from '../../api/index.js';
import { ShoalClient } from '../../client/index.js';
import { ApiServers } from '../client/helpers/api-servers.js';

const pod = (name: string, nodeName?: string): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { ...(nodeName ? { nodeName } : {}), terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: 'busybox:1' }] } }) as unknown as Pod;

t.test('eviction - deletes with the pod grace period, or the one asked for', async (t) => {
  const servers = await ApiServers.start(t, 1);
  const client = new ShoalClient({ servers: servers.addresses, namespace: 'default' });
  t.teardown(() => client.close());
  const pods = client.resource<Pod>('pods');
  const discovered = (await client.discovery()).find((r) => r.name === 'pods');
  t.ok(discovered?.subresources.includes('eviction'), 'discovery lists pods/eviction');

  await pods.create(pod('bound', 'n1'));
  const marked = await pods.evict('bound');
  t.ok(marked.metadata.deletionTimestamp, 'a bound pod is marked for deletion');
  t.equal(marked.metadata.deletionGracePeriodSeconds, 30, "the pod's own grace period");

  await pods.create(pod('quick', 'n1'));
  await pods.evict('quick', { gracePeriodSeconds: 0 });
  await t.rejects(pods.get('quick'), { code: 5 }, 'grace 0 removes it at once');

  await pods.create(pod('unbound'));
  await pods.evict('unbound');
  await t.rejects(pods.get('unbound'), { code: 5 }, 'an unbound pod goes at once');

  await t.rejects(pods.evict('missing'), { code: 5 });
  await t.rejects(client.resource('configmaps').evict('x'), { code: 5 }, 'only pods have the subresource');
});
