// Shoal's iptables chain names. The fixed chains mirror kube-proxy's KUBE-* layout; per service
// port and per endpoint chains are named by a hash so a name is stable across syncs and agents.
import { hash } from 'node:crypto';

export const Chain = {
  /** nat: entry from PREROUTING and OUTPUT; one rule per cluster IP, NodePorts last. */
  Services: 'SHOAL-SERVICES',
  /** nat: one rule pair per NodePort (mark for masquerade, then the service chain). */
  NodePorts: 'SHOAL-NODEPORTS',
  /** nat: entry from POSTROUTING; masquerades packets carrying the masquerade mark. */
  Postrouting: 'SHOAL-POSTROUTING',
  /** nat: sets the masquerade mark. */
  MarkMasq: 'SHOAL-MARK-MASQ',
  /** filter: entry from INPUT, FORWARD and OUTPUT for new connections; rejects cluster IPs without endpoints. */
  Firewall: 'SHOAL-FIREWALL',
  /** filter: rejects NodePorts without endpoints (reached from SHOAL-FIREWALL). */
  ExternalServices: 'SHOAL-EXTERNAL-SERVICES',
  /** filter: entry from FORWARD; accepts service traffic that a host firewall (e.g. Docker's) would drop. */
  Forward: 'SHOAL-FORWARD',
  /** Created by the syncer with `iptables -N`, never by a restore: if it vanishes, someone flushed the tables. */
  Canary: 'SHOAL-PROXY-CANARY',
} as const;
export type FixedChain = (typeof Chain)[keyof typeof Chain];

export const CHAIN_PREFIX = 'SHOAL-';
export const SVC_PREFIX = 'SHOAL-SVC-';
export const SEP_PREFIX = 'SHOAL-SEP-';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** `namespace/name:port` as kube-proxy names a service port (the port's name, or its number when unnamed). */
export function servicePortName(namespace: string, name: string, port: string): string {
  return `${namespace}/${name}:${port}`;
}

/** SHOAL-SVC-<16 chars>: base32(sha256("ns/name:port/protocol")), as kube-proxy's portProtoHash. */
export function serviceChainName(portName: string, protocol: Protocol): string {
  return SVC_PREFIX + hash16(`${portName}/${protocol.toLowerCase()}`);
}

/** SHOAL-SEP-<16 chars>: the service port's hash input plus the endpoint `ip:port`. */
export function endpointChainName(portName: string, protocol: Protocol, endpoint: string): string {
  return SEP_PREFIX + hash16(`${portName}/${protocol.toLowerCase()}${endpoint}`);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The first 16 characters of the RFC 4648 base32 encoding of sha256(text) (80 bits, 10 bytes). */
export function hash16(text: string): string {
  const digest = hash('sha256', text, 'buffer');
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of digest.subarray(0, 10)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}
