// The pod network across nodes (host-gw): docker network per node pod CIDR, routes, rules.
export { PodNetwork, PodNetworkMode } from './pod-network.js';
export type { PodNetworkDeps, PodNetworkStatus } from './pod-network.js';
export { cleanupPodNetwork } from './cleanup.js';
export { runCommand, PodNetworkError, ensureDockerNetwork, ensureHairpin, removeDockerNetwork, syncRoutes, syncRules, removeRoutes, removeRules, listRoutes } from './host-network.js';
export type { CommandRunner } from './host-network.js';
export { desiredRoutes, routeChanges, forwardRules, postroutingRules, internalIP, POD_NETWORK_NAME, POD_BRIDGE_NAME, ROUTE_PROTOCOL, FORWARD_CHAIN, POSTROUTING_CHAIN } from './plan.js';
export type { Route, RouteEntry, RoutePlan } from './plan.js';
