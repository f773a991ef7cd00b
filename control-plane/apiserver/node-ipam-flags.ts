// The node IPAM flags of shoal-control-plane (kube-controller-manager's names and defaults).
// Checked at start: a bad CIDR or mask stops the process before anything runs.
import { CidrError, parseIpv4Cidr } from '../../api/net/ipv4-cidr.js';
import { ConfigError } from '../store/config.js';

export interface NodeIpamConfig {
  readonly allocateNodeCIDRs: boolean;
  readonly clusterCIDR: string;
  readonly nodeCIDRMaskSize: number;
}

export const NODE_IPAM_DEFAULTS: NodeIpamConfig = { allocateNodeCIDRs: true, clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24 };

export function parseNodeIpamFlags(raw: ReadonlyMap<string, string>): NodeIpamConfig {
  const allocate = raw.get('allocate-node-cidrs') ?? 'true';
  if (allocate !== 'true' && allocate !== 'false') throw new ConfigError(`--allocate-node-cidrs: "${allocate}" is not true or false`);
  const clusterCIDR = raw.get('cluster-cidr') ?? NODE_IPAM_DEFAULTS.clusterCIDR;
  let prefix: number;
  try {
    prefix = parseIpv4Cidr(clusterCIDR).prefix;
  } catch (e) {
    throw new ConfigError(`--cluster-cidr: ${(e as CidrError).message}`);
  }
  const maskRaw = raw.get('node-cidr-mask-size') ?? String(NODE_IPAM_DEFAULTS.nodeCIDRMaskSize);
  const mask = Number(maskRaw);
  if (!/^\d{1,2}$/.test(maskRaw) || mask < prefix || mask > 30) throw new ConfigError(`--node-cidr-mask-size: "${maskRaw}" must be a whole number from the cluster CIDR's prefix (${prefix}) to 30`);
  return { allocateNodeCIDRs: allocate === 'true', clusterCIDR, nodeCIDRMaskSize: mask };
}
