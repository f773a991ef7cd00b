// The repair loop (in every API server, like Kubernetes' ipallocator repair controller: the
// allocation objects live only in the store, which only the API server touches). Each pass reads
// both bitmaps, then lists the Services (so every Service that holds an offset marked in the
// snapshot is seen, or is an in-flight create), decides with repair-plan.ts and writes the
// repaired bitmap by compare-and-swap at the snapshot's revision. A lost race skips the write:
// the next pass decides again on fresh state.
import type { Logger } from 'pino';
import type { KubeObject } from '../../../api/kind.js';
import { ipAt, portAt } from './service-ranges.js';
import { holdings, repairRange } from './repair-plan.js';
import type { Finding } from './repair-plan.js';
import type { RangeAllocator } from './range-allocator.js';
import type { ServiceAllocators } from './service-allocation.js';
import { KUBERNETES_SERVICE_OFFSET } from './service-ranges.js';

export interface AllocationRepairDeps {
  readonly allocators: ServiceAllocators;
  /** Every Service, read live from the store. */
  readonly listServices: () => Promise<readonly KubeObject[]>;
  /** Writes a Warning event about a Service. */
  readonly warn: (service: KubeObject, reason: string, message: string) => Promise<void>;
  readonly log: Logger;
}

export interface RepairPass {
  readonly ips: { readonly marked: readonly string[]; readonly released: readonly string[]; readonly leaked: readonly string[]; readonly written: boolean };
  readonly ports: { readonly marked: readonly number[]; readonly released: readonly number[]; readonly leaked: readonly number[]; readonly written: boolean };
  readonly findings: readonly Finding[];
}

export class AllocationRepair {
  private ipLeaks: ReadonlyMap<number, number> = new Map();
  private portLeaks: ReadonlyMap<number, number> = new Map();
  /** Findings already reported (one event per Service, reason and message). */
  private readonly reported = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly d: AllocationRepairDeps) {}

  /** Runs a pass every intervalMs until stop(). */
  start(intervalMs: number): void {
    if (this.stopped) return;
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .catch((e: unknown) => this.d.log.warn({ err: (e as Error).message }, 'service allocation repair pass failed; next pass retries'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, intervalMs).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
  }

  async runOnce(): Promise<RepairPass> {
    const a = this.d.allocators;
    const ipSnap = await a.ips.read();
    const portSnap = await a.ports.read();
    const services = await this.d.listServices();
    const h = holdings(a.ranges, services);
    const ipFix = repairRange(ipSnap.bitmap, new Set(h.ips.keys()), this.ipLeaks, new Set([KUBERNETES_SERVICE_OFFSET]));
    const portFix = repairRange(portSnap.bitmap, new Set(h.ports.keys()), this.portLeaks);
    this.ipLeaks = ipFix.leaks;
    this.portLeaks = portFix.leaks;
    const write = async (allocator: RangeAllocator, fix: typeof ipFix, revision: number): Promise<boolean> =>
      fix.marked.length + fix.released.length === 0 ? false : allocator.compareAndSwap(fix.bitmap, revision);
    const ipWritten = await write(a.ips, ipFix, ipSnap.revision);
    const portWritten = await write(a.ports, portFix, portSnap.revision);
    const findings: Finding[] = [...h.findings];
    // Marking is only news when it was written (a lost race means someone else changed the state).
    if (ipWritten) for (const o of ipFix.marked) for (const s of h.ips.get(o) ?? []) findings.push({ service: s, reason: 'ClusterIPNotAllocated', message: `Cluster IP ${ipAt(a.ranges.ip, o)} is not allocated; repairing` });
    if (portWritten) for (const o of portFix.marked) for (const s of h.ports.get(o) ?? []) findings.push({ service: s, reason: 'PortNotAllocated', message: `Port ${portAt(a.ranges.port, o)} is not allocated; repairing` });
    for (const f of findings) await this.report(f);
    const pass: RepairPass = {
      ips: { marked: ipFix.marked.map((o) => ipAt(a.ranges.ip, o)), released: ipFix.released.map((o) => ipAt(a.ranges.ip, o)), leaked: [...ipFix.leaks.keys()].map((o) => ipAt(a.ranges.ip, o)), written: ipWritten },
      ports: { marked: portFix.marked.map((o) => portAt(a.ranges.port, o)), released: portFix.released.map((o) => portAt(a.ranges.port, o)), leaked: [...portFix.leaks.keys()].map((o) => portAt(a.ranges.port, o)), written: portWritten },
      findings,
    };
    if (ipWritten || portWritten) this.d.log.info({ ips: pass.ips, ports: pass.ports }, 'service allocation repaired');
    return pass;
  }

  private async report(f: Finding): Promise<void> {
    const key = `${f.service.metadata.uid ?? ''}/${f.reason}/${f.message}`;
    if (this.reported.has(key)) return;
    try {
      await this.d.warn(f.service, f.reason, f.message);
      this.reported.add(key);
    } catch (e) {
      this.d.log.warn({ err: (e as Error).message, reason: f.reason }, 'could not record a service allocation event');
    }
  }
}
