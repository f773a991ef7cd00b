// What an object costs a ResourceQuota, as Kubernetes' quota evaluators count it. Pure: the
// ResourceQuota admission plugin (charging one new object) and the quota controller (summing
// everything that exists) share these rules, so they can never disagree.
//
// Rules:
// - every object costs `count/<resource>` (core) or `count/<resource>.<group>`, and the standard
//   object counts (pods, services, configmaps, secrets, persistentvolumeclaims,
//   replicationcontrollers, resourcequotas) cost 1 of their own name;
// - a pod costs requests.<r> (and the bare cpu/memory/ephemeral-storage = requests) and
//   limits.<r>: the sum over its containers, or the largest init container if that is more; a
//   container's request defaults to its limit (as the API's defaulting does);
// - a terminal pod (Succeeded/Failed) costs nothing;
// - a quota with scopes (Terminating, NotTerminating, BestEffort, NotBestEffort) counts only pods
//   matching all of them.
import type { KubeObject } from '../kind.js';
import type { Quantity } from '../schemas/quantity.js';
import { compareQuantities, parseQuantity } from '../schemas/quantity.js';

/** Resource name → amount. */
export type Usage = Map<string, Quantity>;

export const OBJECT_COUNT_RESOURCES = ['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas'] as const;

/** Resources whose bare name means the request (`cpu` = `requests.cpu`). */
const BARE_REQUESTS = ['cpu', 'memory', 'ephemeral-storage'] as const;
/** Limits that quota tracks. */
const LIMITS = ['cpu', 'memory', 'ephemeral-storage'] as const;

const ZERO: Quantity = { num: 0n, den: 1n };
const ONE: Quantity = { num: 1n, den: 1n };

export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return a.den === b.den ? { num: a.num + b.num, den: a.den } : { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

const maxQuantity = (a: Quantity, b: Quantity): Quantity => (compareQuantities(a, b) >= 0 ? a : b);

/** The group of an apiVersion: "" for "v1", "apps" for "apps/v1". */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** `count/pods`, `count/deployments.apps`. */
export function countKey(resource: string, group: string): string {
  return group === '' ? `count/${resource}` : `count/${resource}.${group}`;
}

/** The resource (plural, group) whose objects a quota key counts; undefined for an unknown key. */
export function resourceOfQuotaKey(key: string): { readonly resource: string; readonly group: string } | undefined {
  if (key.startsWith('count/')) {
    const rest = key.slice('count/'.length);
    const dot = rest.indexOf('.');
    return dot < 0 ? { resource: rest, group: '' } : { resource: rest.slice(0, dot), group: rest.slice(dot + 1) };
  }
  if ((OBJECT_COUNT_RESOURCES as readonly string[]).includes(key)) return { resource: key, group: '' };
  if (key === 'services.loadbalancers' || key === 'services.nodeports') return { resource: 'services', group: '' };
  if (key.startsWith('requests.') || key.startsWith('limits.') || (BARE_REQUESTS as readonly string[]).includes(key)) return { resource: 'pods', group: '' };
  return undefined;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const objAt = (o: unknown, k: string): Json => (isObj(o) && isObj(o[k]) ? (o[k] as Json) : {});
const arrAt = (o: unknown, k: string): unknown[] => (isObj(o) && Array.isArray(o[k]) ? (o[k] as unknown[]) : []);

/** A quantity field of a (possibly not yet validated) object; undefined when absent or malformed. */
export function quantityAt(list: Json, name: string): Quantity | undefined {
  const v = list[name];
  return typeof v === 'string' || typeof v === 'number' ? parseQuantity(String(v)) : undefined;
}

/** A container's requests with the API's defaulting applied (a request defaults to the limit). */
export function containerRequests(c: unknown): Map<string, Quantity> {
  const res = objAt(c, 'resources');
  const out = new Map<string, Quantity>();
  for (const list of [objAt(res, 'limits'), objAt(res, 'requests')]) {
    for (const name of Object.keys(list)) {
      const q = quantityAt(list, name);
      if (q !== undefined) out.set(name, q);
    }
  }
  return out;
}

export function containerLimits(c: unknown): Map<string, Quantity> {
  const limits = objAt(objAt(c, 'resources'), 'limits');
  const out = new Map<string, Quantity>();
  for (const name of Object.keys(limits)) {
    const q = quantityAt(limits, name);
    if (q !== undefined) out.set(name, q);
  }
  return out;
}

/** sum(containers) then max with each init container, per resource. */
function podTotals(spec: Json, of: (c: unknown) => Map<string, Quantity>): Map<string, Quantity> {
  const sum = new Map<string, Quantity>();
  for (const c of arrAt(spec, 'containers')) for (const [n, q] of of(c)) sum.set(n, addQuantities(sum.get(n) ?? ZERO, q));
  for (const c of arrAt(spec, 'initContainers')) for (const [n, q] of of(c)) sum.set(n, maxQuantity(sum.get(n) ?? ZERO, q));
  return sum;
}

export function isTerminalPod(pod: KubeObject): boolean {
  const phase = objAt(pod, 'status').phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function isBestEffortPod(pod: KubeObject): boolean {
  const spec = objAt(pod, 'spec');
  return [...arrAt(spec, 'containers'), ...arrAt(spec, 'initContainers')].every((c) => containerRequests(c).size === 0);
}

/** True when a quota with these scopes counts this object. */
export function matchesScopes(scopes: readonly string[], resource: string, object: KubeObject): boolean {
  if (scopes.length === 0) return true;
  if (resource !== 'pods') return false;
  const terminating = objAt(object, 'spec').activeDeadlineSeconds !== undefined;
  return scopes.every((s) => {
    switch (s) {
      case 'Terminating':
        return terminating;
      case 'NotTerminating':
        return !terminating;
      case 'BestEffort':
        return isBestEffortPod(object);
      case 'NotBestEffort':
        return !isBestEffortPod(object);
      default:
        return false;
    }
  });
}

/** Everything one object costs (before restricting to a quota's keys). */
export function objectUsage(resource: string, group: string, object: KubeObject): Usage {
  const u: Usage = new Map();
  if (resource === 'pods' && isTerminalPod(object)) return u;
  u.set(countKey(resource, group), ONE);
  if (group === '' && (OBJECT_COUNT_RESOURCES as readonly string[]).includes(resource)) u.set(resource, ONE);
  if (group === '' && resource === 'pods') {
    const spec = objAt(object, 'spec');
    for (const [n, q] of podTotals(spec, containerRequests)) {
      u.set(`requests.${n}`, q);
      if ((BARE_REQUESTS as readonly string[]).includes(n)) u.set(n, q);
    }
    for (const [n, q] of podTotals(spec, containerLimits)) if ((LIMITS as readonly string[]).includes(n)) u.set(`limits.${n}`, q);
  }
  if (group === '' && resource === 'services') {
    const spec = objAt(object, 'spec');
    const type = spec.type;
    const ports = arrAt(spec, 'ports').length;
    u.set('services.loadbalancers', type === 'LoadBalancer' ? ONE : ZERO);
    u.set('services.nodeports', type === 'NodePort' || type === 'LoadBalancer' ? { num: BigInt(ports), den: 1n } : ZERO);
  }
  return u;
}

/**
 * Pod resources a quota caps that some container does not state: Kubernetes refuses such a pod
 * ("must specify limits.cpu for: app"), since its cost would be unbounded.
 */
export function unspecifiedResources(hardKeys: readonly string[], resource: string, object: KubeObject): { readonly key: string; readonly containers: readonly string[] }[] {
  if (resource !== 'pods' || isTerminalPod(object)) return [];
  const spec = objAt(object, 'spec');
  const containers = [...arrAt(spec, 'initContainers'), ...arrAt(spec, 'containers')];
  const out: { key: string; containers: string[] }[] = [];
  for (const key of [...hardKeys].sort()) {
    const [which, name] = key.startsWith('limits.') ? (['limits', key.slice(7)] as const) : key.startsWith('requests.') ? (['requests', key.slice(9)] as const) : (BARE_REQUESTS as readonly string[]).includes(key) ? (['requests', key] as const) : [undefined, ''];
    if (which === undefined || !(BARE_REQUESTS as readonly string[]).includes(name)) continue;
    const missing = containers.filter((c) => !(which === 'limits' ? containerLimits(c) : containerRequests(c)).has(name)).map((c) => (isObj(c) && typeof c.name === 'string' ? c.name : ''));
    if (missing.length > 0) out.push({ key, containers: missing });
  }
  return out;
}

/** Sums what the given objects cost, for each of the quota's keys (0 where nothing counts). */
export function sumUsage(hardKeys: readonly string[], scopes: readonly string[], objects: readonly { readonly resource: string; readonly group: string; readonly object: KubeObject }[]): Usage {
  const total: Usage = new Map(hardKeys.map((k) => [k, ZERO]));
  for (const { resource, group, object } of objects) {
    if (!matchesScopes(scopes, resource, object)) continue;
    for (const [k, q] of objectUsage(resource, group, object)) if (total.has(k)) total.set(k, addQuantities(total.get(k)!, q));
  }
  return total;
}

const BINARY_SUFFIXES = [['Ei', 60n], ['Pi', 50n], ['Ti', 40n], ['Gi', 30n], ['Mi', 20n], ['Ki', 10n]] as const;
const DECIMAL_SUFFIXES = [['E', 18], ['P', 15], ['T', 12], ['G', 9], ['M', 6], ['k', 3]] as const;

/**
 * A quantity as text, in the style of `like` (binary suffixes when `like` has one, e.g. 512Mi):
 * whole numbers with the largest exact suffix, fractions in milli (500m) or smaller units.
 */
export function formatQuantity(q: Quantity, like = ''): string {
  const neg = q.num < 0n;
  const num = neg ? -q.num : q.num;
  const sign = neg ? '-' : '';
  if (num % q.den === 0n) {
    const n = num / q.den;
    if (n === 0n) return '0';
    if (/[KMGTPE]i$/.test(like)) {
      for (const [s, bits] of BINARY_SUFFIXES) if (n % (1n << bits) === 0n) return `${sign}${n >> bits}${s}`;
      return `${sign}${n}`;
    }
    for (const [s, e] of DECIMAL_SUFFIXES) if (n % 10n ** BigInt(e) === 0n) return `${sign}${n / 10n ** BigInt(e)}${s}`;
    return `${sign}${n}`;
  }
  for (const [s, e] of [['m', 3], ['u', 6], ['n', 9]] as const) {
    const scaled = num * 10n ** BigInt(e);
    if (scaled % q.den === 0n) return `${sign}${scaled / q.den}${s}`;
  }
  // Finer than nano: rounded up to whole nanos, as Kubernetes does.
  const nanos = (num * 10n ** 9n + q.den - 1n) / q.den;
  return `${sign}${nanos}n`;
}
