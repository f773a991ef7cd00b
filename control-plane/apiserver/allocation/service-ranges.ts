// The service ranges (pure): the cluster IP range (--service-cluster-ip-range, an IPv4 CIDR) and
// the NodePort range (--service-node-port-range, "MIN-MAX"). Every API server of a cluster must
// use the same ranges; the store's allocation objects record them and a server whose flags differ
// refuses to allocate (see range-allocator.ts).
//
// IP offsets: offset i is the address network + 1 + i, so the network and broadcast addresses
// are never handed out. Offset 0 (the first usable address, 10.96.0.1 by default) belongs to the
// `kubernetes` Service, as in Kubernetes: dynamic allocation never picks it.

export class ServiceRangeError extends Error {
  override readonly name = 'ServiceRangeError';
  readonly code = 'bad-service-range';
}

export const DEFAULT_SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/12';
export const DEFAULT_SERVICE_NODE_PORT_RANGE = '30000-32767';

/** Smallest prefix accepted: a /12 is Kubernetes' default; anything bigger makes a bitmap of > 128 KiB per write. */
const MIN_PREFIX = 12;

export interface IpRange {
  /** Canonical CIDR text, e.g. 10.96.0.0/12. */
  readonly cidr: string;
  /** The network address as an unsigned 32-bit number. */
  readonly network: number;
  /** Usable addresses (network and broadcast excluded). */
  readonly size: number;
}

export interface PortRange {
  /** Canonical "MIN-MAX". */
  readonly text: string;
  readonly min: number;
  readonly max: number;
  readonly size: number;
}

export interface ServiceRanges {
  readonly ip: IpRange;
  readonly port: PortRange;
}

export function parseIPv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const v = Number(part);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseIpRange(text: string, flag = 'service-cluster-ip-range'): IpRange {
  const raw = text.trim();
  if (raw.includes(':')) throw new ServiceRangeError(`--${flag}: "${text}" is IPv6; only an IPv4 service range is supported`);
  const m = /^([^/]+)\/(\d{1,2})$/.exec(raw);
  if (m === null) throw new ServiceRangeError(`--${flag}: "${text}" is not a CIDR (e.g. ${DEFAULT_SERVICE_CLUSTER_IP_RANGE})`);
  const addr = parseIPv4(m[1]!);
  const prefix = Number(m[2]);
  if (addr === undefined) throw new ServiceRangeError(`--${flag}: "${m[1]}" is not an IPv4 address`);
  if (prefix < MIN_PREFIX || prefix > 30) throw new ServiceRangeError(`--${flag}: prefix /${prefix} is out of range: use /${MIN_PREFIX} (about a million addresses) to /30 (two)`);
  const hostBits = 32 - prefix;
  const total = 2 ** hostBits;
  const network = addr - (addr % total);
  if (network !== addr) throw new ServiceRangeError(`--${flag}: "${text}" has host bits set; the network is ${formatIPv4(network)}/${prefix}`);
  return { cidr: `${formatIPv4(network)}/${prefix}`, network, size: total - 2 };
}

export function parsePortRange(text: string, flag = 'service-node-port-range'): PortRange {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  if (m === null) throw new ServiceRangeError(`--${flag}: "${text}" is not MIN-MAX (e.g. ${DEFAULT_SERVICE_NODE_PORT_RANGE})`);
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (min < 1 || max > 65535) throw new ServiceRangeError(`--${flag}: ports must be 1-65535, got ${min}-${max}`);
  if (min > max) throw new ServiceRangeError(`--${flag}: ${min}-${max} is empty (MIN is above MAX)`);
  return { text: `${min}-${max}`, min, max, size: max - min + 1 };
}

export function parseServiceRanges(ip: string = DEFAULT_SERVICE_CLUSTER_IP_RANGE, port: string = DEFAULT_SERVICE_NODE_PORT_RANGE): ServiceRanges {
  return { ip: parseIpRange(ip), port: parsePortRange(port) };
}

/** The bitmap offset of ip in range, or undefined when ip is not a usable address of it. */
export function ipOffset(range: IpRange, ip: string): number | undefined {
  const n = parseIPv4(ip);
  if (n === undefined) return undefined;
  const i = n - range.network - 1;
  return i >= 0 && i < range.size ? i : undefined;
}

export function ipAt(range: IpRange, offset: number): string {
  return formatIPv4(range.network + 1 + offset);
}

export const portOffset = (range: PortRange, port: number): number | undefined => (Number.isInteger(port) && port >= range.min && port <= range.max ? port - range.min : undefined);

export const portAt = (range: PortRange, offset: number): number => range.min + offset;

/** The `kubernetes` Service's address: the first usable one. */
export const KUBERNETES_SERVICE_OFFSET = 0;
