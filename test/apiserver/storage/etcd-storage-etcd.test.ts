// The Storage contract through EtcdStorage against a real etcd 3.4 (Debian's /usr/bin/etcd),
// one member on free loopback ports in a temporary directory.
import t from 'tap';
import { EtcdCluster } from '../../chaos/etcd-cluster.js';
import { EtcdStorage } from '../../../control-plane/apiserver/storage/index.js';
import { storageContract } from './storage-contract.js';
import { etcdFixture } from './etcd-fixture.js';

const cluster = new EtcdCluster({ size: 1, dirPrefix: 'shoal-api-storage-etcd-' });
t.teardown(() => cluster.stop());
await cluster.start();
const endpoints = cluster.members().map((m) => m.clientUrl);
const storage = new EtcdStorage({ endpoints });
t.teardown(() => storage.close());
const fixture = etcdFixture(storage, endpoints);
t.teardown(() => fixture.close());
storageContract(t, () => fixture);
