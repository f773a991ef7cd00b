// What a Service write needs from the ranges (pure): which cluster IP and node ports to take,
// which to give back once the write is in, and the object with the allocated values kept where
// an update left them out (Kubernetes' patchAllocatedValues) and dropped where a type change
// makes them meaningless (dropTypeDependentFields). The object is read loosely: a shape that is
// wrong is left alone here and refused by the kind's validation after admission.
import { isIP } from 'node:net';
import type { FieldError, KubeObject } from '../../../api/kind.js';
import type { Want } from './range-allocation.js';
import type { ServiceRanges } from './service-ranges.js';
import { ipOffset, portOffset } from './service-ranges.js';

const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
type ServiceType = (typeof TYPES)[number];

export const HEADLESS = 'None';

interface PortView {
  name?: unknown;
  protocol?: unknown;
  nodePort?: unknown;
}

interface SpecView {
  type?: unknown;
  clusterIP?: unknown;
  clusterIPs?: unknown;
  ports?: unknown;
}

export interface ServicePlan {
  /** The object to continue with (clusterIP/clusterIPs and nodePorts still to fill from the wants). */
  readonly object: KubeObject;
  /** The cluster IP to take (an 'offset' or 'any' want), if any. */
  readonly ip: Want | undefined;
  /** Node ports to take: the port's index in spec.ports and the want. */
  readonly ports: readonly { readonly index: number; readonly want: Want }[];
  /** Offsets to give back once the write is in (an update that dropped them). */
  readonly releaseIp: number | undefined;
  readonly releasePorts: readonly number[];
  /** Refusals found before anything is taken. */
  readonly errors: readonly FieldError[];
}

const specOf = (o: KubeObject | undefined): SpecView => (o !== undefined && typeof o.spec === 'object' && o.spec !== null ? (o.spec as SpecView) : {});

function typeOf(s: SpecView): ServiceType | undefined {
  const t = s.type ?? 'ClusterIP';
  return (TYPES as readonly unknown[]).includes(t) ? (t as ServiceType) : undefined;
}

const portsOf = (s: SpecView): PortView[] => (Array.isArray(s.ports) ? (s.ports as unknown[]).map((p) => (typeof p === 'object' && p !== null ? (p as PortView) : {})) : []);

/** The requested cluster IP: clusterIP, else clusterIPs[0]; "" = none. */
function requestedIp(s: SpecView): string | undefined {
  if (typeof s.clusterIP === 'string' && s.clusterIP !== '') return s.clusterIP;
  const first = Array.isArray(s.clusterIPs) ? (s.clusterIPs as unknown[])[0] : undefined;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

const needsIp = (t: ServiceType): boolean => t !== 'ExternalName';
const needsNodePorts = (t: ServiceType): boolean => t === 'NodePort' || t === 'LoadBalancer';

/** The cluster IP offset a stored Service holds (undefined: none, headless, or outside the range). */
export function heldIp(ranges: ServiceRanges, o: KubeObject | undefined): number | undefined {
  const s = specOf(o);
  const t = typeOf(s);
  const ip = requestedIp(s);
  return t === undefined || !needsIp(t) || ip === undefined || ip === HEADLESS ? undefined : ipOffset(ranges.ip, ip);
}

/** The node port offsets a stored Service holds, once each. */
export function heldPorts(ranges: ServiceRanges, o: KubeObject | undefined): number[] {
  const s = specOf(o);
  const t = typeOf(s);
  if (t === undefined || !needsNodePorts(t)) return [];
  const out = new Set<number>();
  for (const p of portsOf(s)) {
    const off = typeof p.nodePort === 'number' ? portOffset(ranges.port, p.nodePort) : undefined;
    if (off !== undefined) out.add(off);
  }
  return [...out];
}

const invalidValue = (field: string, value: unknown, detail: string): FieldError => ({ field, type: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(value)}: ${detail}` });

/**
 * Plans a CREATE (old undefined) or an UPDATE of the main resource. `object` is not changed; the
 * plan's object is a copy when something had to change.
 */
export function planService(ranges: ServiceRanges, object: KubeObject, old: KubeObject | undefined): ServicePlan {
  const none: ServicePlan = { object, ip: undefined, ports: [], releaseIp: undefined, releasePorts: [], errors: [] };
  const s = specOf(object);
  const t = typeOf(s);
  if (t === undefined || (object.spec !== undefined && (typeof object.spec !== 'object' || object.spec === null))) return none;
  const os = specOf(old);
  const ot = old === undefined ? undefined : typeOf(os);
  const spec: SpecView & Record<string, unknown> = { ...s };
  const errors: FieldError[] = [];
  const oldIp = heldIp(ranges, old);
  const oldIpText = old === undefined ? undefined : requestedIp(os);
  // ---- cluster IP
  let ip: Want | undefined;
  let releaseIp: number | undefined;
  if (needsIp(t)) {
    let want = requestedIp(s);
    if (want === undefined && ot !== undefined && needsIp(ot) && oldIpText !== undefined) {
      // An update that left the IP out keeps the one it has.
      want = oldIpText;
      spec.clusterIP = oldIpText;
      spec.clusterIPs = [oldIpText];
    }
    const heldBefore = ot !== undefined && needsIp(ot) && oldIpText !== undefined;
    if (want === HEADLESS) {
      if (needsNodePorts(t)) errors.push(invalidValue('spec.clusterIP', HEADLESS, `may not be set to 'None' for ${t} services`));
      spec.clusterIP = HEADLESS;
      if (spec.clusterIPs === undefined) spec.clusterIPs = [HEADLESS];
    } else if (heldBefore) {
      // Unchanged, or a change the kind's update rules refuse (clusterIP is immutable).
      if (want === oldIpText) {
        spec.clusterIP = want;
        if (spec.clusterIPs === undefined) spec.clusterIPs = [want];
      }
    } else if (want === undefined) {
      ip = { type: 'any' };
    } else if (isIP(want) !== 0) {
      // Not an IP address at all is the kind's validation to refuse.
      const off = ipOffset(ranges.ip, want);
      if (off === undefined) {
        errors.push(invalidValue('spec.clusterIP', want, `provided IP is not in the valid range. The range of valid IPs is ${ranges.ip.cidr}`));
      } else {
        ip = { type: 'offset', offset: off };
        spec.clusterIP = want;
        spec.clusterIPs = [want];
      }
    }
  } else if (ot !== undefined && needsIp(ot)) {
    // To ExternalName: the IP goes (unless the request set a different one, which validation refuses).
    if (requestedIp(s) === oldIpText || requestedIp(s) === undefined) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
      releaseIp = oldIp;
    }
  }
  // ---- node ports
  const ports = portsOf(s).map((p) => ({ ...p }));
  const oldPorts = ot !== undefined && needsNodePorts(ot) ? portsOf(os) : [];
  const oldHeld = new Set(heldPorts(ranges, old));
  const portWants: { index: number; want: Want }[] = [];
  const keep = new Set<number>();
  if (needsNodePorts(t)) {
    // Left out on update: the port of the same name keeps its node port, unless another port now uses it.
    const used = new Set(ports.map((p) => p.nodePort).filter((n): n is number => typeof n === 'number'));
    const byName = new Map(oldPorts.map((p) => [p.name ?? '', p.nodePort]));
    for (const p of ports) {
      const previous = byName.get(typeof p.name === 'string' ? p.name : '');
      if (p.nodePort === undefined && typeof previous === 'number' && !used.has(previous)) {
        p.nodePort = previous;
        used.add(previous);
      }
    }
    const seen = new Map<string, number>();
    ports.forEach((p, index) => {
      const field = `spec.ports[${index}].nodePort`;
      if (p.nodePort === undefined) {
        portWants.push({ index, want: { type: 'any' } });
        return;
      }
      if (typeof p.nodePort !== 'number' || !Number.isInteger(p.nodePort)) return; // the kind's validation refuses it
      const dup = `${String(p.protocol ?? 'TCP')}/${p.nodePort}`;
      if (seen.has(dup)) {
        errors.push({ field, type: 'FieldValueDuplicate', detail: `Duplicate value: ${p.nodePort}` });
        return;
      }
      seen.set(dup, index);
      const off = portOffset(ranges.port, p.nodePort);
      if (off === undefined) {
        if (p.nodePort >= 1 && p.nodePort <= 65535) errors.push(invalidValue(field, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${ranges.port.text}`));
        return;
      }
      keep.add(off);
      // The same number for another protocol of this service shares one allocation.
      if (oldHeld.has(off) || portWants.some((w) => w.want.type === 'offset' && w.want.offset === off)) return;
      portWants.push({ index, want: { type: 'offset', offset: off } });
    });
  } else if (oldHeld.size > 0) {
    // To a type without node ports: the ones it held go (a changed value is validation's to refuse).
    for (const p of ports) if (typeof p.nodePort === 'number' && oldHeld.has(portOffset(ranges.port, p.nodePort) ?? -1)) delete p.nodePort;
  }
  const releasePorts = [...oldHeld].filter((o) => !keep.has(o));
  if (Array.isArray(s.ports)) spec.ports = ports;
  const changed = JSON.stringify(spec) !== JSON.stringify(s);
  return { object: changed ? { ...object, spec } : object, ip, ports: portWants, releaseIp, releasePorts, errors };
}
