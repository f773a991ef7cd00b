export { NodeIpamController, DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_CIDR_MASK_SIZE } from './node-ipam-controller.js';
export type { NodeIpamOptions } from './node-ipam-controller.js';
export { CidrAllocator, CidrAllocatorConfigError } from './cidr-allocator.js';
export type { OccupyResult } from './cidr-allocator.js';
