// The repair loop's decisions (pure), after Kubernetes' ipallocator/portallocator repair
// controllers: compare one range's stored bitmap with what the Services hold.
// - held but not marked → marked (a write that lost its allocation, or state restored from a
//   backup); reported as *NotAllocated;
// - marked but held by nobody → a leak; released only when seen on two consecutive passes, so
//   that an in-flight create (allocated, Service not yet written) is never robbed;
// - held outside the range, or by two Services → a Warning event on the Service (recreate it).
import type { KubeObject } from '../../../api/kind.js';
import type { AllocationBitmap } from './allocation-bitmap.js';
import { HEADLESS } from './service-plan.js';
import type { ServiceRanges } from './service-ranges.js';
import { ipOffset, portOffset } from './service-ranges.js';

/** Passes an offset must be seen leaked in a row before it is released. */
export const LEAK_PASSES = 2;

export interface RangeRepair {
  readonly bitmap: AllocationBitmap;
  /** Offsets seen leaked → consecutive passes, for the next pass. */
  readonly leaks: ReadonlyMap<number, number>;
  readonly released: readonly number[];
  readonly marked: readonly number[];
}

export function repairRange(stored: AllocationBitmap, held: ReadonlySet<number>, previousLeaks: ReadonlyMap<number, number>, reserved: ReadonlySet<number> = new Set()): RangeRepair {
  const bitmap = stored.clone();
  const marked: number[] = [];
  const released: number[] = [];
  const leaks = new Map<number, number>();
  for (const o of [...held].sort((a, b) => a - b)) if (bitmap.set(o)) marked.push(o);
  for (const o of stored.offsets()) {
    // A reserved offset (the kubernetes Service's IP) may be taken before its Service exists.
    if (held.has(o) || reserved.has(o)) continue;
    const seen = (previousLeaks.get(o) ?? 0) + 1;
    if (seen >= LEAK_PASSES) {
      bitmap.clear(o);
      released.push(o);
    } else leaks.set(o, seen);
  }
  return { bitmap, leaks, released, marked };
}

export interface Finding {
  readonly service: KubeObject;
  readonly reason: 'ClusterIPOutOfRange' | 'ClusterIPAlreadyAllocated' | 'ClusterIPNotAllocated' | 'PortOutOfRange' | 'PortAlreadyAllocated' | 'PortNotAllocated';
  readonly message: string;
}

export interface Holdings {
  /** Offset → the Services holding it (oldest first). */
  readonly ips: ReadonlyMap<number, readonly KubeObject[]>;
  readonly ports: ReadonlyMap<number, readonly KubeObject[]>;
  readonly findings: readonly Finding[];
}

const specOf = (s: KubeObject): { type?: string; clusterIP?: string; ports?: { nodePort?: unknown; protocol?: unknown }[] } => (s.spec ?? {}) as never;

/** What the Services hold, oldest first, and what is wrong with it (out of range, shared). */
export function holdings(ranges: ServiceRanges, services: readonly KubeObject[]): Holdings {
  const ordered = [...services].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || (a.metadata.uid ?? '').localeCompare(b.metadata.uid ?? ''));
  const ips = new Map<number, KubeObject[]>();
  const ports = new Map<number, KubeObject[]>();
  const findings: Finding[] = [];
  for (const s of ordered) {
    const spec = specOf(s);
    const type = spec.type ?? 'ClusterIP';
    const ip = spec.clusterIP;
    if (type !== 'ExternalName' && ip !== undefined && ip !== '' && ip !== HEADLESS) {
      const o = ipOffset(ranges.ip, ip);
      if (o === undefined) findings.push({ service: s, reason: 'ClusterIPOutOfRange', message: `Cluster IP ${ip} is not within the service CIDR ${ranges.ip.cidr}; please recreate service` });
      else {
        const list = ips.get(o) ?? [];
        if (list.length > 0) findings.push({ service: s, reason: 'ClusterIPAlreadyAllocated', message: `Cluster IP ${ip} was assigned to multiple services; please recreate service` });
        ips.set(o, [...list, s]);
      }
    }
    if (type !== 'NodePort' && type !== 'LoadBalancer') continue;
    const mine = new Set<number>();
    for (const p of spec.ports ?? []) {
      if (typeof p.nodePort !== 'number') continue;
      const o = portOffset(ranges.port, p.nodePort);
      if (o === undefined) {
        findings.push({ service: s, reason: 'PortOutOfRange', message: `Port ${p.nodePort} is not within the port range ${ranges.port.text}; please recreate service` });
        continue;
      }
      if (mine.has(o)) continue; // one number for TCP and UDP of one Service
      mine.add(o);
      const list = ports.get(o) ?? [];
      if (list.length > 0) findings.push({ service: s, reason: 'PortAlreadyAllocated', message: `Port ${p.nodePort} was assigned to multiple services; please recreate service` });
      ports.set(o, [...list, s]);
    }
  }
  return { ips, ports, findings };
}
