// Chaos against a real 3-member etcd: the reference the Shoal store is held to (see chaos-test.ts).
import { EtcdCluster } from './etcd-cluster.js';
import { chaosTest } from './chaos-test.js';

chaosTest('etcd chaos', 'etcd 3.4, 3 members', (o) => new EtcdCluster(o));
