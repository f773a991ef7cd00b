// The Storage contract through EtcdStorage against a real 3-member Shoal store on loopback,
// with every member as an endpoint.
import t from 'tap';
import { StoreCluster } from '../../store/helpers/store-cluster.js';
import { EtcdStorage } from '../../../control-plane/apiserver/storage/index.js';
import { storageContract } from './storage-contract.js';
import { etcdFixture } from './etcd-fixture.js';

const cluster = await StoreCluster.start(t);
const endpoints = cluster.members.map((m) => `http://127.0.0.1:${m.clientPort}`);
const storage = new EtcdStorage({ endpoints });
t.teardown(() => storage.close());
const fixture = etcdFixture(storage, endpoints);
t.teardown(() => fixture.close());
storageContract(t, () => fixture);
