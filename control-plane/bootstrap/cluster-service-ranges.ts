// A joining control-plane host runs with the cluster's service ranges: they are read from the
// allocation objects in the store (the truth every API server checks against) before anything
// is written. A range flag given to join that differs is refused; one left out follows the
// cluster. A cluster whose API servers never started has no objects yet: the flags stand.
import { decodeRangeAllocation, RANGE_KEYS } from '../apiserver/allocation/index.js';
import { EtcdStorage } from '../apiserver/storage/index.js';
import { BootstrapError } from './bootstrap-error.js';
import type { JoinOptions } from './host-options.js';
import type { StoreClientTls } from './store-membership.js';

export interface ClusterRanges {
  readonly ip: string | undefined;
  readonly port: string | undefined;
}

export async function readClusterRanges(endpoints: readonly string[], tls: StoreClientTls | undefined): Promise<ClusterRanges> {
  const storage = new EtcdStorage({ endpoints, retryTimeoutMs: 15_000, ...(tls === undefined ? {} : { tls: { ca: Buffer.from(tls.ca), cert: Buffer.from(tls.cert), key: Buffer.from(tls.key) } }) });
  try {
    const range = async (key: string): Promise<string | undefined> => {
      const v = await storage.get(key);
      return v === undefined ? undefined : decodeRangeAllocation(v.value).range;
    };
    return { ip: await range(RANGE_KEYS.serviceIPs), port: await range(RANGE_KEYS.nodePorts) };
  } catch (e) {
    throw new BootstrapError('discovery-failed', `cannot read the cluster's service ranges from the store: ${(e as Error).message}`, { cause: e });
  } finally {
    await storage.close();
  }
}

/** Pure: the join options with the cluster's ranges. */
export function withClusterRanges(o: JoinOptions, cluster: ClusterRanges): JoinOptions {
  const pick = (flag: JoinOptions['givenServiceRanges'][number], mine: string, theirs: string | undefined): string => {
    if (theirs === undefined || theirs === mine) return mine;
    if (o.givenServiceRanges.includes(flag)) throw new BootstrapError('bad-flags', `--${flag} ${mine} differs from the cluster's ${theirs}: every control-plane host must use the same (leave the flag out to follow the cluster)`);
    return theirs;
  };
  return { ...o, serviceClusterIpRange: pick('service-cluster-ip-range', o.serviceClusterIpRange, cluster.ip), serviceNodePortRange: pick('service-node-port-range', o.serviceNodePortRange, cluster.port) };
}
