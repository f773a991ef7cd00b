// Reading the Services' allocation objects straight from the store, for allocation tests.
import { AllocationBitmap, decodeRangeAllocation, ipOffset, portOffset, RANGE_KEYS } from '../../../control-plane/apiserver/allocation/index.js';
import type { ServiceRanges } from '../../../control-plane/apiserver/allocation/index.js';
import type { Storage } from '../../../control-plane/apiserver/storage/index.js';
import type { Test } from 'tap';
import type { ApiConn, Obj } from './api-conn.js';

export async function storedOffsets(storage: Storage, ranges: ServiceRanges, which: 'ips' | 'ports'): Promise<number[]> {
  const v = await storage.get(which === 'ips' ? RANGE_KEYS.serviceIPs : RANGE_KEYS.nodePorts);
  if (v === undefined) return [];
  const o = decodeRangeAllocation(v.value);
  return [...AllocationBitmap.decode(which === 'ips' ? ranges.ip.size : ranges.port.size, o.data).offsets()];
}

export const clusterIPOf = (s: Obj): string | undefined => (s.spec as { clusterIP?: string }).clusterIP;
export const nodePortsOf = (s: Obj): number[] => ((s.spec as { ports?: { nodePort?: number }[] }).ports ?? []).flatMap((p) => (p.nodePort === undefined ? [] : [p.nodePort]));

/** The offsets the given Services hold (cluster IPs in range; node ports), sorted. */
export function heldOffsets(ranges: ServiceRanges, services: readonly Obj[], which: 'ips' | 'ports'): number[] {
  const out =
    which === 'ips'
      ? services.flatMap((s) => {
          const ip = clusterIPOf(s);
          const o = ip === undefined ? undefined : ipOffset(ranges.ip, ip);
          return o === undefined ? [] : [o];
        })
      : services.flatMap((s) => nodePortsOf(s).flatMap((p) => portOffset(ranges.port, p) ?? []));
  return out.sort((a, b) => a - b);
}

/** Asserts that both bitmaps equal what the stored Services hold. */
export async function assertConsistent(t: Test, conn: ApiConn, storage: Storage, ranges: ServiceRanges, what: string): Promise<void> {
  const all = (await conn.list('services', '')).items;
  t.same(await storedOffsets(storage, ranges, 'ips'), heldOffsets(ranges, all, 'ips'), `${what}: IP bitmap = IPs in use`);
  t.same(await storedOffsets(storage, ranges, 'ports'), heldOffsets(ranges, all, 'ports'), `${what}: port bitmap = node ports in use`);
}
