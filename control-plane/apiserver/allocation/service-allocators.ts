// The two allocators of a cluster's Services over one store: cluster IPs (offset 0, the
// `kubernetes` Service's address, never picked dynamically) and node ports.
import type { Storage } from '../storage/storage.js';
import { RangeAllocator } from './range-allocator.js';
import { RANGE_KEYS } from './range-allocation.js';
import type { ServiceAllocators } from './service-allocation.js';
import type { ServiceRanges } from './service-ranges.js';
import { KUBERNETES_SERVICE_OFFSET } from './service-ranges.js';

/** writerId: unique per API server (see RangeAllocatorOptions.writerId). */
export function serviceAllocators(storage: Storage, ranges: ServiceRanges, writerId: string): ServiceAllocators {
  return {
    ranges,
    ips: new RangeAllocator({
      storage,
      key: RANGE_KEYS.serviceIPs,
      name: 'serviceips',
      what: 'service IP',
      flag: 'service-cluster-ip-range',
      range: ranges.ip.cidr,
      size: ranges.ip.size,
      reserved: new Set([KUBERNETES_SERVICE_OFFSET]),
      writerId,
    }),
    ports: new RangeAllocator({ storage, key: RANGE_KEYS.nodePorts, name: 'servicenodeports', what: 'node port', flag: 'service-node-port-range', range: ranges.port.text, size: ranges.port.size, writerId }),
  };
}
