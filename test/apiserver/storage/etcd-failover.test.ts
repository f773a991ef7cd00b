// EtcdStorage failover against a real 3-member etcd 3.4: the member it talks to (the leader) is
// killed with SIGKILL while writers write and a watch watches.
import t from 'tap';
import { EtcdCluster } from '../../chaos/etcd-cluster.js';
import { failoverCheck } from './failover-check.js';

const cluster = new EtcdCluster({ size: 3, dirPrefix: 'shoal-api-storage-etcd3-' });
t.teardown(() => cluster.stop());
await cluster.start();

t.test('etcd storage failover on etcd - the connected member (the leader) is killed', async (t) => {
  const leader = await cluster.leader();
  if (leader === null) throw new Error('no etcd leader');
  const url = (name: string): string => cluster.members().find((m) => m.name === name)!.clientUrl;
  const endpoints = [url(leader), ...cluster.members().filter((m) => m.name !== leader).map((m) => m.clientUrl)];
  await failoverCheck(t, endpoints, () => cluster.kill(leader));
});
