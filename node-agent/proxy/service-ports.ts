// Services + Endpoints → the list of service ports the proxy programs, each with its ready
// endpoints resolved to ip:port. Sorted, deduplicated and independent of input order.
import { isIPv4 } from 'node:net';
import type { Endpoints, Service } from '../../api/index.js';
import { endpointChainName, serviceChainName, servicePortName } from './chain-names.js';
import type { Protocol } from './chain-names.js';

export interface EndpointInfo {
  ip: string;
  port: number;
  /** `ip:port`, the DNAT destination. */
  address: string;
  chain: string;
}

export interface ServicePortInfo {
  /** `namespace/name` of the Service. */
  service: string;
  /** `namespace/name:port`, used in comments and hashes. */
  name: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  nodePort?: number;
  /** Seconds of ClientIP affinity; absent without sessionAffinity ClientIP. */
  affinitySeconds?: number;
  chain: string;
  /** Ready endpoints only, in address order. */
  endpoints: EndpointInfo[];
}

const DEFAULT_AFFINITY_SECONDS = 10800;

/** Whether the proxy programs this service at all: it needs an IPv4 virtual IP (not headless, not ExternalName). */
export function hasVirtualIP(s: Service): boolean {
  const ip = s.spec.clusterIP;
  return s.spec.type !== 'ExternalName' && ip !== undefined && ip !== 'None' && isIPv4(ip);
}

/**
 * Every programmed service port. The endpoints controller names each Endpoints port after its
 * service port and has already resolved named targetPorts, so a service port's endpoints are the
 * ready addresses of subsets that carry a port with the same name and protocol.
 */
export function collectServicePorts(services: readonly Service[], endpoints: readonly Endpoints[], names?: Map<string, string>): ServicePortInfo[] {
  // Chain names are sha256 hashes: a caller that renders often passes a memo (input → name).
  const memo = (key: string, make: () => string): string => {
    if (names === undefined) return make();
    let v = names.get(key);
    if (v === undefined) names.set(key, (v = make()));
    return v;
  };
  const byKey = new Map<string, Endpoints>();
  for (const e of endpoints) byKey.set(objectKey(e.metadata.namespace, e.metadata.name ?? ''), e);
  const out: ServicePortInfo[] = [];
  for (const s of services) {
    if (!hasVirtualIP(s)) continue;
    const ns = s.metadata.namespace ?? 'default';
    const svcName = s.metadata.name ?? '';
    const eps = byKey.get(objectKey(ns, svcName));
    const affinity = s.spec.sessionAffinity === 'ClientIP' ? (s.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS) : undefined;
    for (const p of s.spec.ports ?? []) {
      const protocol = p.protocol;
      const name = servicePortName(ns, svcName, p.name ?? String(p.port));
      const chain = memo(`${name}/${protocol}`, () => serviceChainName(name, protocol));
      out.push({
        service: objectKey(ns, svcName),
        name,
        protocol,
        clusterIP: s.spec.clusterIP as string,
        port: p.port,
        ...(p.nodePort !== undefined && (s.spec.type === 'NodePort' || s.spec.type === 'LoadBalancer') ? { nodePort: p.nodePort } : {}),
        ...(affinity !== undefined ? { affinitySeconds: affinity } : {}),
        chain,
        endpoints: readyEndpoints(eps, p.name ?? '', protocol).map(({ ip, port }) => {
          const address = `${ip}:${port}`;
          return { ip, port, address, chain: memo(`${name}/${protocol}/${address}`, () => endpointChainName(name, protocol, address)) };
        }),
      });
    }
  }
  return out.sort((a, b) => compareText(a.name, b.name) || compareText(a.protocol, b.protocol));
}

function readyEndpoints(eps: Endpoints | undefined, portName: string, protocol: Protocol): { ip: string; port: number }[] {
  const seen = new Map<string, { ip: string; port: number }>();
  for (const subset of eps?.subsets ?? []) {
    const port = (subset.ports ?? []).find((p) => (p.name ?? '') === portName && p.protocol === protocol);
    if (port === undefined) continue;
    for (const a of subset.addresses ?? []) if (isIPv4(a.ip)) seen.set(`${a.ip}:${port.port}`, { ip: a.ip, port: port.port });
  }
  return [...seen.values()].sort((a, b) => compareIPv4(a.ip, b.ip) || a.port - b.port);
}

const objectKey = (namespace: string | undefined, name: string): string => `${namespace ?? 'default'}/${name}`;

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIPv4(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
