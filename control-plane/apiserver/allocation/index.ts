// Service cluster IPs and node ports (issue 8): the ranges, their allocation state in the store,
// the admission plugin that takes and gives back, and the repair loop.
export { AllocationBitmap } from './allocation-bitmap.js';
export { AllocationRepair } from './allocation-repair.js';
export type { AllocationRepairDeps, RepairPass } from './allocation-repair.js';
export { holdings, LEAK_PASSES, repairRange } from './repair-plan.js';
export type { Finding, Holdings, RangeRepair } from './repair-plan.js';
export { AllocatorError, AllocatorErrorCode, MAX_CAS_ATTEMPTS, RangeAllocator } from './range-allocator.js';
export type { RangeAllocatorOptions, Snapshot } from './range-allocator.js';
export { applyTxn, decodeRangeAllocation, encodeRangeAllocation, RANGE_KEYS, rangeAllocationObject, WRITER_ANNOTATION } from './range-allocation.js';
export type { RangeAllocationObject, TxnResult, Want } from './range-allocation.js';
export { allocatorFailure, ServiceAllocation } from './service-allocation.js';
export type { ServiceAllocators } from './service-allocation.js';
export { serviceAllocators } from './service-allocators.js';
export { HEADLESS, heldIp, heldPorts, planService } from './service-plan.js';
export type { ServicePlan } from './service-plan.js';
export {
  DEFAULT_SERVICE_CLUSTER_IP_RANGE,
  DEFAULT_SERVICE_NODE_PORT_RANGE,
  formatIPv4,
  ipAt,
  ipOffset,
  KUBERNETES_SERVICE_OFFSET,
  parseIPv4,
  parseIpRange,
  parsePortRange,
  parseServiceRanges,
  portAt,
  portOffset,
  ServiceRangeError,
} from './service-ranges.js';
export type { IpRange, PortRange, ServiceRanges } from './service-ranges.js';
