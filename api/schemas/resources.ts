// Container resources: requests and limits keyed by resource name, Kubernetes quantity syntax.
// Defaulting as Kubernetes: a resource with only a limit gets a request equal to it.
import { z } from 'zod';
import { crossCheck, invalid, obj, stringMap, withDefaults, type Path, type Reporter } from './kit.js';
import { qualifiedName } from './names.js';
import { compareQuantities, mustParseQuantity, quantityValue } from './quantity.js';

const STANDARD = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** cpu, memory, ephemeral-storage, hugepages-<size>, or an extended resource `domain/name` (plus `extra` names). */
export function checkResourceName(name: string, ctx: Reporter, path: Path, extra: readonly string[] = []): boolean {
  if (STANDARD.has(name) || name.startsWith('hugepages-') || extra.includes(name)) return true;
  if (name.includes('/') && qualifiedName(name).length === 0) return true;
  invalid(ctx, path, name, 'must be a standard resource type or fully qualified');
  return false;
}

/** resource name → quantity text (`cpu: 500m`, `memory: 512Mi`); `extra` names beyond the standard ones (a node's `pods`). */
export const resourceList = (extra: readonly string[] = []) =>
  stringMap<string>((key, value, ctx, path) => {
    const nameOk = checkResourceName(key, ctx, path, extra);
    const q = quantityValue(value, ctx, path);
    return nameOk ? q : undefined;
  });

export const resourceRequirementsSchema = withDefaults(crossCheck(
  obj({ requests: resourceList().optional(), limits: resourceList().optional() }),
  ['requests', 'limits'],
  (r, ctx) => {
    for (const [name, limit] of Object.entries(r.limits ?? {})) {
      const request = r.requests?.[name];
      if (request !== undefined && compareQuantities(mustParseQuantity(request), mustParseQuantity(limit)) > 0)
        invalid(ctx, ['requests', `[${name}]`], request, `must be less than or equal to ${name} limit of ${limit}`);
    }
  },
), (r) => (r.limits ? { ...r, requests: { ...r.limits, ...(r.requests ?? {}) } } : r));

export type ResourceRequirements = z.output<typeof resourceRequirementsSchema>;
