// The Shoal store (bin/shoal-control-plane.js) as a chaos Cluster: the same process handling as
// EtcdCluster (one process per member on 127.0.0.1, free ports, data and logs in a temporary
// directory, fsync on), since shoal-control-plane takes etcd's member flags. The launcher runs
// the member in its own node process, so SIGKILL/SIGSTOP reach the member itself.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EtcdCluster } from './etcd-cluster.js';
import type { EtcdClusterOptions } from './etcd-cluster.js';

export const SHOAL_LAUNCHER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'shoal-control-plane.js');

export type ShoalClusterOptions = Omit<EtcdClusterOptions, 'command' | 'memberPrefix' | 'dirPrefix'>;

/** A Shoal store cluster; extraArgs (default none) are appended after etcd's member flags. */
export function createShoalCluster(options: ShoalClusterOptions = {}): EtcdCluster {
  // SHOAL_TEST_NODE_ARGS, as for test/store's members (e.g. "--enable-source-maps").
  const nodeArgs = (process.env['SHOAL_TEST_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  return new EtcdCluster({
    extraArgs: [],
    ...options,
    command: [process.execPath, ...nodeArgs, SHOAL_LAUNCHER],
    memberPrefix: 'shoal',
    dirPrefix: 'shoal-store-chaos-',
  });
}
