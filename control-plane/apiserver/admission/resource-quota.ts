// ResourceQuota (as in Kubernetes): a new object is admitted only if every quota of its
// namespace that counts it stays within spec.hard; the object's cost is charged to the quota's
// status.used BEFORE the object is written, with a compare-and-swap on the quota's
// resourceVersion. Two API servers admitting the last slot at once both try to move used from N
// to N+1 at the same revision; the store lets one win, the other re-reads and refuses. A failed
// write (or a delete) leaves used too high until the quota controller recounts it from what
// exists (controllers/resource-quota), as in Kubernetes.
//
// Refusal: RESOURCE_EXHAUSTED (the proto's code for "quota exceeded"), Kubernetes' text:
//   pods "web-3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2
// A pod that leaves a capped compute resource unstated is refused (INVALID_ARGUMENT):
//   pods "web" is forbidden: failed quota: q: must specify limits.cpu for: app
// Runs last: nothing after it may refuse an object it has charged. Checks the object against its
// kind's rules first so an invalid object is refused without being charged.
import type { KindDefinition, KubeObject } from '../../../api/kind.js';
import type { Usage } from '../../../api/quota/index.js';
import { addQuantities, formatQuantity, groupOf, matchesScopes, objectUsage, resourceOfQuotaKey, sumUsage, unspecifiedResources } from '../../../api/quota/index.js';
import type { Quantity } from '../../../api/schemas/quantity.js';
import { compareQuantities, parseQuantity } from '../../../api/schemas/quantity.js';
import { ApiError, Code, conflict, MODIFIED, subject } from '../errors.js';
import type { AdmissionRequest, ValidatingAdmissionPlugin } from '../pipeline/admission.js';
import { validateObject } from '../pipeline/validation.js';
import type { AdmissionLookups } from './admission-lookups.js';

/** Compare-and-swap attempts on one quota before the request fails with ABORTED (the client retries). */
const MAX_CAS_ATTEMPTS = 32;

interface QuotaView {
  readonly name: string;
  readonly hard: Readonly<Record<string, string>>;
  readonly used: Readonly<Record<string, string>>;
  readonly scopes: readonly string[];
}

function view(q: KubeObject): QuotaView {
  const spec = (q.spec ?? {}) as { hard?: Record<string, string>; scopes?: string[] };
  const status = (q.status ?? {}) as { used?: Record<string, string> };
  return { name: q.metadata.name ?? '', hard: spec.hard ?? {}, used: status.used ?? {}, scopes: spec.scopes ?? [] };
}

const q = (text: string | undefined): Quantity | undefined => (text === undefined ? undefined : parseQuantity(String(text)));

/** `pods=1,requests.memory=1Gi` (sorted, as Kubernetes prints a ResourceList). */
function show(list: ReadonlyMap<string, Quantity> | Readonly<Record<string, Quantity>>, keys: readonly string[], hard: QuotaView['hard']): string {
  const get = (k: string): Quantity | undefined => (list instanceof Map ? list.get(k) : (list as Record<string, Quantity>)[k]);
  return [...keys].sort().map((k) => `${k}=${formatQuantity(get(k) ?? { num: 0n, den: 1n }, hard[k] ?? '')}`).join(',');
}

export type QuotaDecision =
  | { readonly type: 'skip' }
  | { readonly type: 'charge'; readonly used: Record<string, string> }
  | { readonly type: 'exceeded'; readonly message: string }
  | { readonly type: 'unspecified'; readonly message: string };

/**
 * Pure: what one quota says about an object costing `cost`, given used values for every hard key
 * (`used`). `charge` carries the new status.used (every hard key).
 */
export function decide(quota: QuotaView, resource: string, object: KubeObject, cost: Usage, used: ReadonlyMap<string, Quantity>): QuotaDecision {
  if (!matchesScopes(quota.scopes, resource, object)) return { type: 'skip' };
  const keys = Object.keys(quota.hard);
  // Before the cost: an unstated request costs nothing, which is exactly what is refused.
  const missing = unspecifiedResources(keys, resource, object);
  if (missing.length > 0) return { type: 'unspecified', message: `failed quota: ${quota.name}: must specify ${missing.map((m) => `${m.key} for: ${m.containers.join(',')}`).join('; ')}` };
  if (!keys.some((k) => cost.has(k))) return { type: 'skip' };
  const exceeded: string[] = [];
  const next = new Map<string, Quantity>();
  for (const k of keys) {
    const now = used.get(k) ?? { num: 0n, den: 1n };
    const after = cost.has(k) ? addQuantities(now, cost.get(k)!) : now;
    next.set(k, after);
    const hard = q(quota.hard[k]);
    if (hard !== undefined && (cost.get(k)?.num ?? 0n) > 0n && compareQuantities(after, hard) > 0) exceeded.push(k);
  }
  if (exceeded.length > 0) {
    const hard = Object.fromEntries(exceeded.map((k) => [k, q(quota.hard[k])!]));
    return { type: 'exceeded', message: `exceeded quota: ${quota.name}, requested: ${show(cost, exceeded, quota.hard)}, used: ${show(used, exceeded, quota.hard)}, limited: ${show(hard, exceeded, quota.hard)}` };
  }
  return { type: 'charge', used: Object.fromEntries([...next].map(([k, v]) => [k, formatQuantity(v, quota.hard[k] ?? '')])) };
}

export class ResourceQuotaAdmission implements ValidatingAdmissionPlugin {
  readonly name = 'ResourceQuota';
  constructor(private readonly lookups: AdmissionLookups) {}

  async validate(req: AdmissionRequest): Promise<void> {
    const { attrs, kind, operation } = req;
    // Charged at CREATE only: no kind served today changes its cost on update.
    if (operation !== 'CREATE' || attrs.subresource !== '' || !kind.namespaced) return;
    const quotas = await this.lookups.listCached('resourcequotas', attrs.namespace);
    if (quotas.length === 0) return;
    const object = validateObject(kind, req.object, undefined);
    const resource = kind.resource;
    const cost = objectUsage(resource, groupOf(kind.apiVersion), object);
    const who = `${subject(resource, object.metadata.name)} is forbidden`;
    for (const cached of [...quotas].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
      let quota: KubeObject | undefined = cached;
      for (let attempt = 1; quota !== undefined; attempt++) {
        if (attempt > MAX_CAS_ATTEMPTS) throw conflict('resourcequotas', cached.metadata.name ?? '', `${MODIFIED} (quota ${cached.metadata.name} kept changing while admitting ${subject(resource, object.metadata.name)})`);
        const v = view(quota);
        const used = await this.usedOf(v, attrs.namespace);
        const d = decide(v, resource, object, cost, used);
        if (d.type === 'skip') break;
        if (d.type === 'unspecified') throw new ApiError(Code.INVALID_ARGUMENT, `${who}: ${d.message}`);
        if (d.type === 'exceeded') throw new ApiError(Code.RESOURCE_EXHAUSTED, `${who}: ${d.message}`);
        if (attrs.dryRun) break;
        const r = await this.lookups.compareAndSwap('resourcequotas', { ...quota, status: { ...((quota.status as object | undefined) ?? {}), hard: v.hard, used: d.used } });
        if (r.ok) break;
        // Someone else charged (or recounted) it first: decide again on the stored quota.
        quota = await this.lookups.getLive('resourcequotas', attrs.namespace, v.name);
      }
    }
  }

  /**
   * status.used for every hard key. A key the quota controller has not counted yet (a quota just
   * created) is counted here from a live list of the namespace.
   */
  private async usedOf(v: QuotaView, namespace: string): Promise<Map<string, Quantity>> {
    const used = new Map<string, Quantity>();
    const uncounted: string[] = [];
    for (const k of Object.keys(v.hard)) {
      const u = q(v.used[k]);
      if (u !== undefined) used.set(k, u);
      else uncounted.push(k);
    }
    if (uncounted.length === 0) return used;
    const objects: { resource: string; group: string; object: KubeObject }[] = [];
    const seen = new Set<string>();
    for (const k of uncounted) {
      const r = resourceOfQuotaKey(k);
      const kind: KindDefinition | undefined = r === undefined ? undefined : this.lookups.kind(r.resource, r.group);
      if (r === undefined || kind === undefined || !kind.namespaced || seen.has(kind.resource)) continue;
      seen.add(kind.resource);
      for (const object of await this.lookups.listLive(kind.resource, namespace)) objects.push({ resource: kind.resource, group: r.group, object });
    }
    for (const [k, amount] of sumUsage(uncounted, v.scopes, objects)) used.set(k, amount);
    return used;
  }
}
