// IPv4 addresses and CIDR blocks as numbers (pure). Used by node IPAM (pod CIDRs out of the
// cluster CIDR) and the agent's pod network (is a route's destination inside the cluster CIDR?).
import { isIPv4 } from 'node:net';

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit number (host bits zero). */
  readonly base: number;
  readonly prefix: number;
}

export class CidrError extends Error {
  readonly code = 'CIDR_INVALID';
  override readonly name = 'CidrError';
}

export function ipv4ToNumber(ip: string): number {
  if (!isIPv4(ip)) throw new CidrError(`"${ip}" is not an IPv4 address`);
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** "10.244.0.0/16" → {base, prefix}; host bits must be zero ("10.244.1.5/16" is an error). */
export function parseIpv4Cidr(text: string): Ipv4Cidr {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text.trim());
  if (m === null || !isIPv4(m[1]!) || Number(m[2]) > 32) throw new CidrError(`"${text}" is not an IPv4 CIDR (e.g. 10.244.0.0/16)`);
  const prefix = Number(m[2]);
  const addr = ipv4ToNumber(m[1]!);
  const size = 2 ** (32 - prefix);
  if (addr % size !== 0) throw new CidrError(`"${text}" has host bits set (the network is ${numberToIpv4(addr - (addr % size))}/${prefix})`);
  return { base: addr, prefix };
}

export function formatIpv4Cidr(c: Ipv4Cidr): string {
  return `${numberToIpv4(c.base)}/${c.prefix}`;
}

export function cidrSize(c: Ipv4Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** True when `inner` lies wholly inside `outer`. */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + cidrSize(inner) <= outer.base + cidrSize(outer);
}

/** The n-th address of the block (1 = the first usable, e.g. a bridge's gateway). */
export function cidrAddress(c: Ipv4Cidr, n: number): string {
  return numberToIpv4(c.base + n);
}
