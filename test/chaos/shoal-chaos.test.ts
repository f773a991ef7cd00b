// The etcd chaos run against a 3-member Shoal store (bin/shoal-control-plane.js, via
// createShoalCluster): same workload, nemesis and checks (see chaos-test.ts).
import { chaosTest } from './chaos-test.js';
import { createShoalCluster } from './shoal-cluster.js';

chaosTest('Shoal store chaos', 'Shoal store, 3 members', (o) => createShoalCluster(o));
