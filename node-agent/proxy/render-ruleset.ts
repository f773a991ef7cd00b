// The whole Shoal ruleset as iptables-restore input, after kube-proxy's iptables proxier. Pure:
// the same services, endpoints and node facts always give the same text, byte for byte.
// Applied with `iptables-restore --noflush`: every Shoal chain is declared (`:CHAIN - [0:0]`,
// which creates or flushes it) and rewritten in full; other tables' and tools' chains are left
// alone; Shoal chains that exist but are no longer needed are flushed and deleted (-X). A partial
// sync (onlyServices) leaves unchanged services' chains out of the text.
import { isIPv4 } from 'node:net';
import type { Endpoints, Service } from '../../api/index.js';
import { Chain, SEP_PREFIX, SVC_PREFIX } from './chain-names.js';
import { probability } from './probability.js';
import { collectServicePorts, compareText } from './service-ports.js';
import type { ServicePortInfo } from './service-ports.js';

export interface NodeFacts {
  /** This node. Validated; kept for the Local traffic policies, which are not rendered yet (treated as Cluster). */
  nodeName: string;
  /** Addresses that accept NodePorts. Empty: every local address (`-m addrtype --dst-type LOCAL`). */
  nodeIPs: readonly string[];
  /** Pod network of the whole cluster: traffic to a cluster IP from outside it is masqueraded. */
  clusterCIDR?: string;
  /**
   * This node's pod CIDR, used instead when clusterCIDR is not known (kube-proxy's
   * --detect-local-mode=NodeCIDR): a cluster IP is DNATed on the client's own node, so a pod
   * source is always a local pod.
   */
  podCIDR?: string;
  /** Masquerade all cluster IP traffic (kube-proxy's --masquerade-all). */
  masqueradeAll?: boolean;
  /** Bit of the packet mark that asks for masquerade; default 14 (0x4000, as kube-proxy). */
  masqueradeBit?: number;
  /** Add --random-fully to MASQUERADE (iptables ≥ 1.6.2). */
  randomFully?: boolean;
}

/** Shoal chains that exist in the host's tables now (see shoalChains in save-text.ts). */
export interface ExistingChains {
  nat: readonly string[];
  filter: readonly string[];
}

export interface RenderInput {
  services: readonly Service[];
  endpoints: readonly Endpoints[];
  node: NodeFacts;
  existing?: ExistingChains;
  /**
   * Partial sync (kube-proxy's KEP-3453): rewrite the service and endpoint chains of these
   * services only (`namespace/name`); the others' chains are neither declared nor touched, so the
   * host must hold them as an earlier sync wrote them. The fixed chains are always rewritten in
   * full, and stale chains are still deleted. Undefined: a full sync.
   */
  onlyServices?: ReadonlySet<string>;
  /** Memo of chain names (owned by the caller, e.g. the proxier); the output is the same with or without. */
  chainNames?: Map<string, string>;
}

export interface RenderedRuleset {
  /** iptables-restore --noflush input for the filter and nat tables. */
  text: string;
  /** Chains that exist once this ruleset is applied, per table (the next sync's `existing`). */
  chains: { nat: string[]; filter: string[] };
  /** Chains this ruleset deletes. */
  deleted: { nat: string[]; filter: string[] };
}

export class ProxyConfigError extends Error {
  readonly code = 'PROXY_CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'ProxyConfigError';
  }
}

export function renderRuleset(input: RenderInput): RenderedRuleset {
  const node = checkNodeFacts(input.node);
  const mark = `0x${(1 << node.masqueradeBit).toString(16)}`;
  const ports = collectServicePorts(input.services, input.endpoints, input.chainNames);
  const filter = new Table([Chain.Firewall, Chain.ExternalServices, Chain.Forward]);
  const nat = new Table([Chain.Services, Chain.NodePorts, Chain.Postrouting, Chain.MarkMasq]);

  nat.rule(Chain.Postrouting, ['-m', 'mark', '!', '--mark', `${mark}/${mark}`, '-j', 'RETURN']);
  // Clear the mark so a packet that is re-evaluated (e.g. by IPsec) is not masqueraded twice.
  nat.rule(Chain.Postrouting, ['-j', 'MARK', '--xor-mark', mark]);
  nat.rule(Chain.Postrouting, [...comment('shoal service traffic requiring SNAT'), '-j', 'MASQUERADE', ...(node.randomFully ? ['--random-fully'] : [])]);
  nat.rule(Chain.MarkMasq, ['-j', 'MARK', '--or-mark', mark]);

  filter.rule(Chain.Forward, ['-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP']);
  filter.rule(Chain.Forward, [...comment('shoal forwarding rules'), '-m', 'mark', '--mark', `${mark}/${mark}`, '-j', 'ACCEPT']);
  filter.rule(Chain.Forward, [...comment('shoal forwarding conntrack rule'), '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);

  for (const sp of ports) {
    const proto = sp.protocol.toLowerCase();
    const match = ['-m', proto, '-p', proto];
    if (sp.endpoints.length === 0) {
      // No ready endpoint: refuse at once (ICMP port unreachable → ECONNREFUSED) instead of a timeout.
      filter.rule(Chain.Firewall, [...comment(`${sp.name} has no endpoints`), ...match, '-d', sp.clusterIP, '--dport', String(sp.port), '-j', 'REJECT']);
      if (sp.nodePort !== undefined)
        for (const dst of nodeDestinations(node))
          filter.rule(Chain.ExternalServices, [...comment(`${sp.name} has no endpoints`), ...dst, ...match, '--dport', String(sp.nodePort), '-j', 'REJECT']);
      continue;
    }
    nat.rule(Chain.Services, [...comment(`${sp.name} cluster IP`), ...match, '-d', sp.clusterIP, '--dport', String(sp.port), '-j', sp.chain]);
    if (sp.nodePort !== undefined) {
      // Traffic to a NodePort may leave for another node: always masquerade so replies come back here.
      nat.rule(Chain.NodePorts, [...comment(sp.name), ...match, '--dport', String(sp.nodePort), '-j', Chain.MarkMasq]);
      nat.rule(Chain.NodePorts, [...comment(sp.name), ...match, '--dport', String(sp.nodePort), '-j', sp.chain]);
    }
    if (input.onlyServices === undefined || input.onlyServices.has(sp.service)) renderServiceChain(nat, sp, match, node);
    else for (const c of [sp.chain, ...sp.endpoints.map((ep) => ep.chain)]) nat.keep(c);
  }
  // Last in SHOAL-SERVICES: it catches everything addressed to the node, so the exact virtual IP
  // rules above must be tried first.
  for (const dst of nodeDestinations(node))
    nat.rule(Chain.Services, [...comment('shoal service nodeports; NOTE: this must be the last rule in this chain'), ...dst, '-j', Chain.NodePorts]);
  filter.rule(Chain.Firewall, [...comment('shoal node port services without endpoints'), '-j', Chain.ExternalServices]);

  const deletedNat = nat.deleteStale(input.existing?.nat ?? []);
  const deletedFilter = filter.deleteStale(input.existing?.filter ?? []);
  return {
    text: ['*filter', ...filter.lines(), 'COMMIT', '*nat', ...nat.lines(), 'COMMIT', ''].join('\n'),
    chains: { nat: nat.chainNames(), filter: filter.chainNames() },
    deleted: { nat: deletedNat, filter: deletedFilter },
  };
}

function renderServiceChain(nat: Table, sp: ServicePortInfo, match: string[], node: Required<NodeFacts>): void {
  nat.chain(sp.chain);
  const vip = [...match, '-d', sp.clusterIP, '--dport', String(sp.port)];
  // Off-cluster sources (the host itself, other hosts) are masqueraded so replies return through
  // this node's conntrack entry; pod-to-service traffic keeps its source IP.
  if (node.masqueradeAll) nat.rule(sp.chain, [...comment(`${sp.name} cluster IP`), ...vip, '-j', Chain.MarkMasq]);
  else {
    const localPods = node.clusterCIDR !== '' ? node.clusterCIDR : node.podCIDR;
    if (localPods !== '') nat.rule(sp.chain, [...comment(`${sp.name} cluster IP`), ...vip, '!', '-s', localPods, '-j', Chain.MarkMasq]);
  }
  // Affinity first: a client seen within the timeout goes back to the endpoint it had.
  if (sp.affinitySeconds !== undefined)
    for (const ep of sp.endpoints)
      nat.rule(sp.chain, [...comment(`${sp.name} -> ${ep.address}`), '-m', 'recent', '--name', ep.chain, '--rcheck', '--seconds', String(sp.affinitySeconds), '--reap', '-j', ep.chain]);
  // Endpoint i of n is taken with probability 1/(n-i): uniform overall; the last one takes the rest.
  const n = sp.endpoints.length;
  sp.endpoints.forEach((ep, i) => {
    const pick = i < n - 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', probability(n - i)] : [];
    nat.rule(sp.chain, [...comment(`${sp.name} -> ${ep.address}`), ...pick, '-j', ep.chain]);
  });
  for (const ep of sp.endpoints) {
    nat.chain(ep.chain);
    // Hairpin: a pod reaching itself through the service must be masqueraded or it answers itself directly.
    nat.rule(ep.chain, [...comment(sp.name), '-s', ep.ip, '-j', Chain.MarkMasq]);
    const affinity = sp.affinitySeconds !== undefined ? ['-m', 'recent', '--name', ep.chain, '--set'] : [];
    nat.rule(ep.chain, [...comment(sp.name), ...match, ...affinity, '-j', 'DNAT', '--to-destination', ep.address]);
  }
}

function nodeDestinations(node: Required<NodeFacts>): string[][] {
  if (node.nodeIPs.length === 0) return [['-m', 'addrtype', '--dst-type', 'LOCAL']];
  return [...new Set(node.nodeIPs)].sort(compareText).map((ip) => ['-d', ip]);
}

function checkNodeFacts(n: NodeFacts): Required<NodeFacts> {
  if (n.nodeName === '') throw new ProxyConfigError('node facts: nodeName is empty');
  for (const ip of n.nodeIPs) if (!isIPv4(ip)) throw new ProxyConfigError(`node facts: nodeIPs: ${JSON.stringify(ip)} is not an IPv4 address`);
  const cidr = checkCIDR('clusterCIDR', n.clusterCIDR);
  const podCIDR = checkCIDR('podCIDR', n.podCIDR);
  const bit = n.masqueradeBit ?? 14;
  if (!Number.isInteger(bit) || bit < 0 || bit > 31) throw new ProxyConfigError(`node facts: masqueradeBit: ${bit} is not an integer in 0..31`);
  return { nodeName: n.nodeName, nodeIPs: n.nodeIPs, clusterCIDR: cidr, podCIDR, masqueradeAll: n.masqueradeAll ?? false, masqueradeBit: bit, randomFully: n.randomFully ?? false };
}

function checkCIDR(field: string, value: string | undefined): string {
  if (value !== undefined && value !== '' && !isIPv4CIDR(value)) throw new ProxyConfigError(`node facts: ${field}: ${JSON.stringify(value)} is not an IPv4 CIDR (e.g. 10.244.0.0/16)`);
  return value ?? '';
}

function isIPv4CIDR(s: string): boolean {
  const [ip, len, ...rest] = s.split('/');
  return rest.length === 0 && ip !== undefined && isIPv4(ip) && len !== undefined && /^\d{1,2}$/.test(len) && Number(len) <= 32;
}

/** The comment match as one pre-quoted word: the only argument that may contain spaces. */
function comment(text: string): string[] {
  return [`-m comment --comment ${quote(text)}`];
}

/** iptables-restore quoting: words with spaces or quotes go in double quotes. */
function quote(arg: string): string {
  return /^[^\s"'\\]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * One table: chains in declaration order (the fixed ones, then per service chain followed by its
 * endpoint chains, in the sorted service port order), each chain's rules grouped under it.
 */
class Table {
  private readonly rulesByChain = new Map<string, string[]>();
  /** Chains that stay as the host has them (partial sync): known, not declared. */
  private readonly kept: string[] = [];
  private readonly deletes: string[] = [];

  constructor(fixed: string[]) {
    for (const c of fixed) this.chain(c);
  }

  chain(name: string): void {
    if (!this.rulesByChain.has(name)) this.rulesByChain.set(name, []);
  }

  keep(name: string): void {
    this.kept.push(name);
  }

  rule(chain: string, args: string[]): void {
    const rules = this.rulesByChain.get(chain);
    if (rules === undefined) throw new Error(`bug: rule for undeclared chain ${chain}`);
    // Arguments are chain names, addresses, numbers and fixed words; comment() did the quoting.
    rules.push(`-A ${chain} ${args.join(' ')}`);
  }

  /** Shoal chains present on the host but not declared now: flushed and deleted. */
  deleteStale(existing: readonly string[]): string[] {
    const live = new Set(this.chainNames());
    const stale = [...new Set(existing)].filter((c) => isSyncedChain(c) && !live.has(c)).sort(compareText);
    this.deletes.push(...stale);
    return stale;
  }

  /** Declared and kept chains. */
  chainNames(): string[] {
    return [...this.rulesByChain.keys(), ...this.kept];
  }

  lines(): string[] {
    const out: string[] = [];
    for (const c of this.rulesByChain.keys()) out.push(`:${c} - [0:0]`);
    for (const c of this.deletes) out.push(`:${c} - [0:0]`);
    for (const rules of this.rulesByChain.values()) for (const r of rules) out.push(r);
    for (const c of this.deletes) out.push(`-X ${c}`);
    return out;
  }
}

/** Chains a sync may delete: per service and per endpoint chains. The fixed chains are always declared. */
function isSyncedChain(name: string): boolean {
  return name.startsWith(SVC_PREFIX) || name.startsWith(SEP_PREFIX);
}
