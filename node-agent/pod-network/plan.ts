// The host-gw pod network as data (pure): which routes this node should have to other nodes'
// pod CIDRs, which of the routes it has are to be removed, and the iptables rules that let pod
// traffic through. Only routes whose destination lies inside the cluster CIDR and that carry
// Shoal's route protocol number are ever touched.
import type { Node } from '../../api/index.js';
import { cidrContains, CidrError, parseIpv4Cidr } from '../../api/net/ipv4-cidr.js';
import { isIPv4 } from 'node:net';

/** The docker network (and the Linux bridge behind it) pods join. */
export const POD_NETWORK_NAME = 'shoal';
export const POD_BRIDGE_NAME = 'shoal0';
/** Routes this agent writes carry this protocol number (`ip route ... proto 77`): cleanup finds them by it. */
export const ROUTE_PROTOCOL = '77';
/** filter: jumped to first from FORWARD; nat: from POSTROUTING. */
export const FORWARD_CHAIN = 'SHOAL-PODNET-FORWARD';
export const POSTROUTING_CHAIN = 'SHOAL-PODNET-POSTROUTING';

export interface Route {
  readonly dst: string;
  readonly via: string;
}

export interface RoutePlan {
  readonly routes: readonly Route[];
  /** Nodes left out, and why. */
  readonly skipped: readonly string[];
}

/** The InternalIP a node reports (first one), or undefined. */
export function internalIP(n: Node): string | undefined {
  return n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

function inside(cluster: string, cidr: string): boolean {
  try {
    return cidrContains(parseIpv4Cidr(cluster), parseIpv4Cidr(cidr));
  } catch (e) {
    if (e instanceof CidrError) return false;
    throw e;
  }
}

/** One route per other node that has a pod CIDR inside the cluster CIDR and an IPv4 InternalIP. */
export function desiredRoutes(nodes: readonly Node[], self: string, clusterCIDR: string): RoutePlan {
  const routes: Route[] = [];
  const skipped: string[] = [];
  for (const n of nodes) {
    const name = n.metadata.name ?? '';
    if (name === self) continue;
    const dst = n.spec.podCIDR;
    if (dst === undefined || dst === '') continue;
    const via = internalIP(n);
    if (!inside(clusterCIDR, dst)) skipped.push(`${name}: pod CIDR ${dst} is outside the cluster CIDR ${clusterCIDR}`);
    else if (via === undefined || !isIPv4(via)) skipped.push(`${name}: no IPv4 InternalIP`);
    else routes.push({ dst, via });
  }
  routes.sort((a, b) => (a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0));
  return { routes, skipped };
}

/** A route as `ip -j route show` prints it (the fields used here). */
export interface RouteEntry {
  readonly dst: string;
  readonly gateway?: string;
  readonly protocol?: string;
}

/** Routes to write (missing or different gateway) and destinations to delete (ours, no longer wanted). */
export function routeChanges(current: readonly RouteEntry[], desired: readonly Route[], clusterCIDR: string): { replace: Route[]; remove: string[] } {
  const want = new Map(desired.map((r) => [r.dst, r.via]));
  const have = new Map<string, string | undefined>();
  for (const r of current) if (inside(clusterCIDR, r.dst)) have.set(r.dst, r.gateway);
  const replace = desired.filter((r) => have.get(r.dst) !== r.via);
  const remove = current.filter((r) => r.protocol === ROUTE_PROTOCOL && r.gateway !== undefined && inside(clusterCIDR, r.dst) && !want.has(r.dst)).map((r) => r.dst);
  return { replace, remove };
}

/** Rule specs (iptables argument lists without table/chain) of Shoal's pod network chains. */
export function forwardRules(clusterCIDR: string): string[][] {
  // Docker's FORWARD chain sends new connections into a bridge to its DOCKER chain, which only
  // knows published ports (and the policy may be DROP): pod traffic is accepted before that.
  return [
    ['-s', clusterCIDR, '-m', 'comment', '--comment', 'shoal pod network: from pods', '-j', 'ACCEPT'],
    ['-d', clusterCIDR, '-m', 'comment', '--comment', 'shoal pod network: to pods', '-j', 'ACCEPT'],
  ];
}

export function postroutingRules(podCIDR: string, clusterCIDR: string): string[][] {
  // Pod to pod keeps its source address (no NAT inside the cluster CIDR); pods reaching anything
  // else leave with the node's address (the docker network is created with masquerade off).
  return [['-s', podCIDR, '!', '-d', clusterCIDR, '-m', 'comment', '--comment', 'shoal pod network: pods to outside', '-j', 'MASQUERADE']];
}
