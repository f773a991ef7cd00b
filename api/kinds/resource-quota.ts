// ResourceQuota (v1): caps what a namespace may use (`pods`, `requests.cpu`, `limits.memory`,
// `count/deployments.apps`, ...); status.used is kept by the quota controller.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import { invalid, obj, oneOf, stringMap } from '../schemas/kit.js';
import { qualifiedName } from '../schemas/names.js';
import { quantityValue } from '../schemas/quantity.js';
import { ageColumn, column, nameColumn } from '../table/cells.js';

/** Quota names are any qualified name (standard ones and `count/<resource>.<group>`). */
const quotaList = () =>
  stringMap<string>((key, value, ctx, path) => {
    const errs = qualifiedName(key);
    for (const e of errs) invalid(ctx, path, key, e);
    const q = quantityValue(value, ctx, path);
    return errs.length === 0 ? q : undefined;
  });

export const QUOTA_SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort'] as const;

export const resourceQuotaSchema = kindSchema(
  { apiVersion: 'v1', kind: 'ResourceQuota', namespaced: true },
  {
    spec: obj({ hard: quotaList().optional(), scopes: z.array(oneOf(QUOTA_SCOPES)).optional() }).prefault({}),
    status: obj({ hard: quotaList().optional(), used: quotaList().optional() }).optional(),
  },
);

export type ResourceQuota = z.output<typeof resourceQuotaSchema>;
export type ResourceQuotaInput = z.input<typeof resourceQuotaSchema>;

/** kubectl's REQUEST / LIMIT cells: `name: used/hard` for each resource, sorted. */
function usage(q: ResourceQuota, limits: boolean): string {
  const hard = q.status?.hard ?? q.spec.hard ?? {};
  const used = q.status?.used ?? {};
  return Object.keys(hard)
    .filter((n) => n.startsWith('limits.') === limits)
    .sort()
    .map((n) => `${n}: ${used[n] ?? '0'}/${hard[n]}`)
    .join(', ');
}

export const resourceQuotaKind = defineKind<ResourceQuota>({
  kind: 'ResourceQuota',
  apiVersion: 'v1',
  resource: 'resourcequotas',
  shortNames: ['quota'],
  namespaced: true,
  hasStatus: true,
  schema: resourceQuotaSchema,
  columns: [nameColumn, ageColumn, column<ResourceQuota>('REQUEST', (q) => usage(q, false)), column<ResourceQuota>('LIMIT', (q) => usage(q, true))],
});
