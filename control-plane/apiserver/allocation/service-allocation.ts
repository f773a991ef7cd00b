// ServiceAllocation admission (Kubernetes does this in the Service REST storage): a Service gets
// its cluster IP and node ports at CREATE, gains or gives them up when an UPDATE changes its
// type, and gives them back when it leaves the store. Taking happens before the write, in the
// store's allocation objects (range-allocator.ts); if the write is then not made, what was
// taken is given back (WriteEffects.onAbort). Giving back happens only after the write is in
// (onCommit), so an IP is never free while a stored Service still holds it.
import type { Logger } from 'pino';
import type { FieldError, KubeObject } from '../../../api/kind.js';
import { ApiError, Code, invalid, subject } from '../errors.js';
import type { AdmissionRequest, MutatingAdmissionPlugin } from '../pipeline/admission.js';
import type { WriteEffects } from '../pipeline/write-effects.js';
import { AllocatorError } from './range-allocator.js';
import type { RangeAllocator } from './range-allocator.js';
import type { TxnResult, Want } from './range-allocation.js';
import { heldIp, heldPorts, planService } from './service-plan.js';
import type { ServicePlan } from './service-plan.js';
import type { ServiceRanges } from './service-ranges.js';
import { ipAt, portAt } from './service-ranges.js';

export interface ServiceAllocators {
  readonly ranges: ServiceRanges;
  readonly ips: RangeAllocator;
  readonly ports: RangeAllocator;
}

/** An allocator failure as the client sees it. */
export function allocatorFailure(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof AllocatorError) {
    const code = e.code === 'RangeMismatch' ? Code.FAILED_PRECONDITION : e.code === 'Contended' ? Code.ABORTED : Code.UNAVAILABLE;
    return new ApiError(code, e.message, [], { cause: e });
  }
  return new ApiError(Code.INTERNAL, `internal error: ${(e as Error)?.message ?? String(e)}`, [], { cause: e });
}

export class ServiceAllocation implements MutatingAdmissionPlugin {
  readonly name = 'ServiceAllocation';

  constructor(
    private readonly a: ServiceAllocators,
    private readonly log: Logger,
  ) {}

  async admit(req: AdmissionRequest): Promise<KubeObject> {
    const { attrs, kind, operation } = req;
    if (kind.resource !== 'services' || kind.group !== '' || attrs.subresource !== '') return req.object;
    if (operation === 'DELETE') {
      // Given back only when the Service really leaves the store (a delete may only mark it).
      this.releaseOnRemove(req.effects, req.oldObject ?? req.object, undefined, []);
      return req.object;
    }
    const plan = planService(this.a.ranges, req.object, operation === 'UPDATE' ? req.oldObject : undefined);
    const name = req.object.metadata.name;
    if (plan.errors.length > 0) throw invalid('Service', name, plan.errors);
    const dry = attrs.dryRun;
    const ipWants: Want[] = plan.ip === undefined ? [] : [plan.ip];
    const portWants = plan.ports.map((p) => p.want);
    const ipResult = await this.take(this.a.ips, ipWants, dry);
    if (!ipResult.ok) throw this.refusal(name, plan, 'ip', ipResult);
    let portResult: TxnResult;
    try {
      portResult = await this.take(this.a.ports, portWants, dry);
    } catch (e) {
      if (!dry) await this.giveBack(this.a.ips, ipResult.offsets);
      throw e;
    }
    if (!portResult.ok) {
      if (!dry) await this.giveBack(this.a.ips, ipResult.offsets);
      throw this.refusal(name, plan, 'port', portResult);
    }
    const object = this.fill(plan, ipResult.offsets, portResult.offsets);
    if (!dry) {
      const taken = { ip: ipResult.offsets, ports: portResult.offsets };
      req.effects?.onAbort(async () => {
        await this.giveBack(this.a.ips, taken.ip);
        await this.giveBack(this.a.ports, taken.ports);
      });
      // An update whose write removes the Service (its last finalizer gone) gives everything back.
      this.releaseOnRemove(req.effects, req.oldObject, plan.releaseIp, plan.releasePorts, object);
    }
    return object;
  }

  /** On commit: removed → everything old and new held; kept → only what the update dropped. */
  private releaseOnRemove(effects: WriteEffects | undefined, old: KubeObject | undefined, dropIp: number | undefined, dropPorts: readonly number[], next?: KubeObject): void {
    if (effects === undefined) return;
    effects.onCommit(async (removed) => {
      const ips = removed ? [heldIp(this.a.ranges, old), heldIp(this.a.ranges, next)] : [dropIp];
      const ports = removed ? [...heldPorts(this.a.ranges, old), ...heldPorts(this.a.ranges, next)] : dropPorts;
      await this.giveBack(this.a.ips, [...new Set(ips.filter((o): o is number => o !== undefined))]);
      await this.giveBack(this.a.ports, [...new Set(ports)]);
    });
  }

  private async take(allocator: RangeAllocator, wants: readonly Want[], dry: boolean): Promise<TxnResult> {
    if (wants.length === 0) return { ok: true, offsets: [] };
    try {
      return await (dry ? allocator.peek(wants) : allocator.transact(wants));
    } catch (e) {
      throw allocatorFailure(e);
    }
  }

  private async giveBack(allocator: RangeAllocator, offsets: readonly number[]): Promise<void> {
    if (offsets.length === 0) return;
    try {
      await allocator.transact(offsets.map((offset) => ({ type: 'release', offset })));
    } catch (e) {
      // The repair loop finds it: an offset no Service holds is freed after two passes.
      this.log.warn({ err: (e as Error).message, offsets }, 'could not give back service allocations; the repair loop will');
    }
  }

  private refusal(name: string | undefined, plan: ServicePlan, what: 'ip' | 'port', r: Extract<TxnResult, { ok: false }>): ApiError {
    if (r.reason === 'full') {
      const [thing, range] = what === 'ip' ? ['serviceIP', this.a.ranges.ip.cidr] : ['nodePort', this.a.ranges.port.text];
      return new ApiError(Code.RESOURCE_EXHAUSTED, `${subject('services', name)}: failed to allocate a ${thing}: range is full (${range})`);
    }
    const spec = plan.object.spec as { clusterIP?: string; ports?: { nodePort?: number }[] };
    const errors: FieldError[] =
      what === 'ip'
        ? [{ field: 'spec.clusterIP', type: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(spec.clusterIP)}: provided IP is already allocated` }]
        : (() => {
            const index = plan.ports[r.index]!.index;
            return [{ field: `spec.ports[${index}].nodePort`, type: 'FieldValueInvalid', detail: `Invalid value: ${spec.ports?.[index]?.nodePort}: provided port is already allocated` }];
          })();
    return invalid('Service', name, errors);
  }

  /** The plan's object with the offsets taken written in. */
  private fill(plan: ServicePlan, ip: readonly number[], ports: readonly number[]): KubeObject {
    if (ip.length === 0 && ports.length === 0) return plan.object;
    const spec = { ...(plan.object.spec as Record<string, unknown>) };
    if (ip[0] !== undefined) {
      const text = ipAt(this.a.ranges.ip, ip[0]);
      spec.clusterIP = text;
      spec.clusterIPs = [text];
    }
    if (ports.length > 0) {
      const list = [...(spec.ports as Record<string, unknown>[])];
      plan.ports.forEach((p, i) => {
        list[p.index] = { ...list[p.index], nodePort: portAt(this.a.ranges.port, ports[i]!) };
      });
      spec.ports = list;
    }
    return { ...plan.object, spec };
  }
}
