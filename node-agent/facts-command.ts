// `shoal-agent facts`: what this host would report as its Node — capacity, allocatable, labels,
// addresses and nodeInfo (architecture amd64/arm64/arm) — without a cluster or a container
// runtime. For checking a host before joining it, and for the release's ARM checks.
import type { Node } from '../api/index.js';
import type { HostFacts, HostUsage } from './node/host-facts.js';
import { buildNodeStatus, defaultReservations, defaultThresholds, nodeLabels } from './node/node-status.js';

export interface HostReport {
  readonly labels: Record<string, string>;
  readonly capacity: NonNullable<Node['status']>['capacity'];
  readonly allocatable: NonNullable<Node['status']>['allocatable'];
  readonly addresses: NonNullable<Node['status']>['addresses'];
  readonly nodeInfo: NonNullable<Node['status']>['nodeInfo'];
}

/** The capacity part of a Node status (default reservations, 110 pods; no runtime, no conditions). */
export function hostReport(facts: HostFacts, usage: HostUsage, nodeName: string, agentVersion: string, now: number): HostReport {
  const s = buildNodeStatus({ facts, usage, reservations: defaultReservations, thresholds: defaultThresholds, maxPods: 110, runtimeVersion: '', runtimeError: '', agentVersion, previous: undefined, now });
  return { labels: nodeLabels(facts, nodeName), capacity: s.capacity, allocatable: s.allocatable, addresses: s.addresses, nodeInfo: s.nodeInfo };
}
