// Quota accounting shared by the ResourceQuota admission plugin and the quota controller.
export { addQuantities, containerLimits, containerRequests, countKey, formatQuantity, groupOf, isBestEffortPod, isTerminalPod, matchesScopes, OBJECT_COUNT_RESOURCES, objectUsage, quantityAt, resourceOfQuotaKey, sumUsage, unspecifiedResources } from './usage.js';
export type { Usage } from './usage.js';
