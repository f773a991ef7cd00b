// LimitRanger (as in Kubernetes): the namespace's LimitRanges default and bound what a new pod's
// containers ask for.
// - Mutating: a container without a limit gets the `default` of a Container item, without a
//   request the `defaultRequest` (the seed's example: default memory 512Mi). As the LimitRange's
//   own defaulting in Kubernetes: `default` falls back to `max`, `defaultRequest` to `default`
//   then `min`. A container's limit counts as its request (the API's defaulting, stage 4, would
//   make it so) and is never overridden. The pod is annotated with what was set.
// - Validating: Container items bound each container (and init container), Pod items the pod's
//   sum: request >= min, limit <= max (a limit is then required), limit/request <=
//   maxLimitRequestRatio. Refusals name the field.
// Pods only, at CREATE (containers and their resources cannot change later).
import type { KubeObject } from '../../../api/kind.js';
import { formatPath } from '../../../api/field-path.js';
import { addQuantities, containerLimits, containerRequests, formatQuantity } from '../../../api/quota/index.js';
import type { Quantity } from '../../../api/schemas/quantity.js';
import { compareQuantities, parseQuantity } from '../../../api/schemas/quantity.js';
import type { Cause } from '../errors.js';
import { ApiError, Code, subject } from '../errors.js';
import type { AdmissionRequest, MutatingAdmissionPlugin, ValidatingAdmissionPlugin } from '../pipeline/admission.js';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

type Json = Record<string, unknown>;
type Amounts = Record<string, string>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const amounts = (v: unknown): Amounts => {
  if (!isObj(v)) return {};
  const out: Amounts = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string' || typeof x === 'number') out[k] = String(x);
  return out;
};

/** One item of a LimitRange's spec.limits, with Kubernetes' defaulting of default/defaultRequest. */
export interface LimitItem {
  readonly type: string;
  readonly min: Amounts;
  readonly max: Amounts;
  readonly default: Amounts;
  readonly defaultRequest: Amounts;
  readonly maxLimitRequestRatio: Amounts;
}

export function limitItems(limitRanges: readonly KubeObject[]): LimitItem[] {
  const out: LimitItem[] = [];
  for (const lr of [...limitRanges].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
    const limits = isObj(lr.spec) && Array.isArray(lr.spec.limits) ? (lr.spec.limits as unknown[]) : [];
    for (const l of limits) {
      if (!isObj(l) || typeof l.type !== 'string') continue;
      const max = amounts(l.max);
      const min = amounts(l.min);
      let dflt = amounts(l.default);
      let dreq = amounts(l.defaultRequest);
      if (l.type === 'Container') {
        dflt = { ...max, ...dflt };
        dreq = { ...min, ...dflt, ...dreq };
      }
      out.push({ type: l.type, min, max, default: dflt, defaultRequest: dreq, maxLimitRequestRatio: amounts(l.maxLimitRequestRatio) });
    }
  }
  return out;
}

const CONTAINER_LISTS = ['initContainers', 'containers'] as const;

/** The pod with the Container items' defaults filled in; unchanged (same object) when nothing applies. */
export function applyLimitDefaults(pod: KubeObject, items: readonly LimitItem[]): KubeObject {
  const defaults = items.filter((i) => i.type === 'Container');
  if (defaults.length === 0 || !isObj(pod.spec)) return pod;
  const spec = pod.spec;
  const notes: string[] = [];
  let changed = false;
  const lists: Record<string, unknown[]> = {};
  for (const list of CONTAINER_LISTS) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    lists[list] = containers.map((c: unknown) => {
      if (!isObj(c)) return c;
      const res = isObj(c.resources) ? c.resources : {};
      const limits: Amounts = { ...amounts(res.limits) };
      const requests: Amounts = { ...amounts(res.requests) };
      const hasRequest = (n: string): boolean => requests[n] !== undefined || amounts(res.limits)[n] !== undefined;
      const setReq: string[] = [];
      const setLim: string[] = [];
      // The first LimitRange (by name) that defaults a resource wins.
      for (const item of defaults) {
        for (const [n, v] of Object.entries(item.defaultRequest)) if (!hasRequest(n) && requests[n] === undefined) { requests[n] = v; setReq.push(n); }
        for (const [n, v] of Object.entries(item.default)) if (limits[n] === undefined) { limits[n] = v; setLim.push(n); }
      }
      if (setReq.length === 0 && setLim.length === 0) return c;
      changed = true;
      const name = typeof c.name === 'string' ? c.name : '';
      if (setReq.length > 0) notes.push(`${setReq.join(', ')} request for ${list === 'initContainers' ? 'init container' : 'container'} ${name}`);
      if (setLim.length > 0) notes.push(`${setLim.join(', ')} limit for ${list === 'initContainers' ? 'init container' : 'container'} ${name}`);
      const resources: Json = { ...res };
      if (Object.keys(limits).length > 0) resources.limits = limits;
      if (Object.keys(requests).length > 0) resources.requests = requests;
      return { ...c, resources };
    });
  }
  if (!changed) return pod;
  return {
    ...pod,
    metadata: { ...pod.metadata, annotations: { ...(pod.metadata.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` } },
    spec: { ...spec, ...lists },
  };
}

interface Measured {
  /** Path of the thing measured, e.g. spec.containers[0]. */
  readonly path: readonly (string | number)[];
  readonly requests: Map<string, Quantity>;
  readonly limits: Map<string, Quantity>;
  /** The texts as written, for messages. */
  readonly show: (which: 'requests' | 'limits', name: string, q: Quantity, like: string) => string;
}

function containerMeasures(spec: Json): Measured[] {
  const out: Measured[] = [];
  for (const list of CONTAINER_LISTS) {
    const containers = Array.isArray(spec[list]) ? (spec[list] as unknown[]) : [];
    containers.forEach((c, i) => {
      const res = isObj(c) && isObj(c.resources) ? c.resources : {};
      out.push({
        path: ['spec', list, i],
        requests: containerRequests(c),
        limits: containerLimits(c),
        // A request not written is the limit (the API's defaulting).
        show: (which, name, q, like) => amounts(res[which])[name] ?? (which === 'requests' ? amounts(res.limits)[name] : undefined) ?? formatQuantity(q, like),
      });
    });
  }
  return out;
}

/** The pod's sums (an amount only when every container states it), as Kubernetes' Pod items see them. */
function podMeasure(spec: Json): Measured {
  const containers = Array.isArray(spec.containers) ? (spec.containers as unknown[]) : [];
  const total = (of: (c: unknown) => Map<string, Quantity>): Map<string, Quantity> => {
    const names = new Set(containers.flatMap((c) => [...of(c).keys()]));
    const m = new Map<string, Quantity>();
    for (const n of names) {
      if (!containers.every((c) => of(c).has(n))) continue;
      m.set(n, containers.reduce<Quantity>((acc, c) => addQuantities(acc, of(c).get(n)!), { num: 0n, den: 1n }));
    }
    return m;
  };
  return { path: ['spec', 'containers[*]'], requests: total(containerRequests), limits: total(containerLimits), show: (_w, _n, q, like) => formatQuantity(q, like) };
}

/** Every bound the pod breaks, as causes with the field they concern. */
export function limitViolations(pod: KubeObject, items: readonly LimitItem[]): Cause[] {
  if (!isObj(pod.spec)) return [];
  const causes: Cause[] = [];
  const containers = containerMeasures(pod.spec);
  const podWide = podMeasure(pod.spec);
  for (const item of items) {
    const measured = item.type === 'Container' ? containers : item.type === 'Pod' ? [podWide] : [];
    for (const m of measured) causes.push(...checkItem(item, m));
  }
  return causes;
}

function checkItem(item: LimitItem, m: Measured): Cause[] {
  const causes: Cause[] = [];
  const add = (which: 'requests' | 'limits' | 'resources', name: string, message: string): void => {
    causes.push({ field: formatPath([...m.path, 'resources', ...(which === 'resources' ? [] : [which]), `[${name}]`]), type: 'FieldValueForbidden', message });
  };
  const per = `per ${item.type}`;
  for (const [name, text] of Object.entries(item.min)) {
    const min = parseQuantity(text);
    if (min === undefined) continue;
    const req = m.requests.get(name);
    const lim = m.limits.get(name);
    if (req === undefined) add('requests', name, `minimum ${name} usage ${per} is ${text}. No request is specified`);
    else if (compareQuantities(req, min) < 0) add('requests', name, `minimum ${name} usage ${per} is ${text}, but request is ${m.show('requests', name, req, text)}`);
    else if (lim !== undefined && compareQuantities(lim, min) < 0) add('limits', name, `minimum ${name} usage ${per} is ${text}, but limit is ${m.show('limits', name, lim, text)}`);
  }
  for (const [name, text] of Object.entries(item.max)) {
    const max = parseQuantity(text);
    if (max === undefined) continue;
    const req = m.requests.get(name);
    const lim = m.limits.get(name);
    if (lim === undefined) add('limits', name, `maximum ${name} usage ${per} is ${text}. No limit is specified`);
    else if (compareQuantities(lim, max) > 0) add('limits', name, `maximum ${name} usage ${per} is ${text}, but limit is ${m.show('limits', name, lim, text)}`);
    else if (req !== undefined && compareQuantities(req, max) > 0) add('requests', name, `maximum ${name} usage ${per} is ${text}, but request is ${m.show('requests', name, req, text)}`);
  }
  for (const [name, text] of Object.entries(item.maxLimitRequestRatio)) {
    const ratio = parseQuantity(text);
    if (ratio === undefined) continue;
    const req = m.requests.get(name);
    const lim = m.limits.get(name);
    if (lim === undefined) add('limits', name, `${name} max limit to request ratio ${per} is ${text}, but no limit is specified`);
    else if (req === undefined || req.num === 0n) add('requests', name, `${name} max limit to request ratio ${per} is ${text}, but no request is specified or request is 0`);
    // limit/request > ratio  ⇔  limit > ratio × request (all denominators positive)
    else if (compareQuantities(lim, { num: ratio.num * req.num, den: ratio.den * req.den }) > 0) {
      const actual = Number((lim.num * req.den * 1000n) / (lim.den * req.num)) / 1000;
      add('resources', name, `${name} max limit to request ratio ${per} is ${text}, but provided ratio is ${actual.toFixed(6)}`);
    }
  }
  return causes;
}

export class LimitRanger implements MutatingAdmissionPlugin, ValidatingAdmissionPlugin {
  readonly name = 'LimitRanger';
  /** listLimitRanges: the namespace's LimitRanges (fresh enough that one just created applies). */
  constructor(private readonly listLimitRanges: (namespace: string) => Promise<KubeObject[]>) {}

  private applies(req: AdmissionRequest): boolean {
    return req.kind.resource === 'pods' && req.operation === 'CREATE' && req.attrs.subresource === '';
  }

  async admit(req: AdmissionRequest): Promise<KubeObject> {
    if (!this.applies(req)) return req.object;
    return applyLimitDefaults(req.object, limitItems(await this.listLimitRanges(req.attrs.namespace)));
  }

  async validate(req: AdmissionRequest): Promise<void> {
    if (!this.applies(req)) return;
    const causes = limitViolations(req.object, limitItems(await this.listLimitRanges(req.attrs.namespace)));
    if (causes.length === 0) return;
    const list = causes.map((c) => `${c.field}: ${c.message}`);
    const what = `${subject(req.kind.resource, req.object.metadata.name)} is forbidden`;
    throw new ApiError(Code.INVALID_ARGUMENT, list.length === 1 ? `${what}: ${list[0]}` : `${what}: [${list.join(', ')}]`, causes);
  }
}
