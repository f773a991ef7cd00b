// ConfigMap (v1): string data and base64 binaryData under config keys; `immutable: true` freezes it.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import type { FieldError } from '../kind.js';
import { crossCheck, duplicate, invalid, stringMap, stringValue, type Path, type Reporter } from '../schemas/kit.js';
import { configMapKey } from '../schemas/names.js';
import { forbiddenUpdate, jsonEqual } from '../schemas/update-rules.js';
import { ageColumn, column, nameColumn } from '../table/cells.js';

/** Keys of ConfigMap/Secret data: config-key syntax. */
export const configDataMap = (check: (key: string, value: unknown, ctx: Reporter, path: Path) => string | undefined) =>
  stringMap<string>((key, value, ctx, path) => {
    const errs = configMapKey(key);
    for (const e of errs) invalid(ctx, path, key, e);
    const v = check(key, value, ctx, path);
    return errs.length === 0 ? v : undefined;
  });

export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function base64Value(_key: string, value: unknown, ctx: Reporter, path: Path): string | undefined {
  const v = stringValue(_key, value, ctx, path);
  if (v === undefined) return undefined;
  if (!BASE64.test(v)) {
    invalid(ctx, path, '<value omitted>', 'must be base64 encoded');
    return undefined;
  }
  return v;
}

/** Total size of a ConfigMap or Secret's data, as Kubernetes caps it (1 MiB). */
export const MAX_DATA_SIZE = 1024 * 1024;

export const configMapSchema = crossCheck(
  kindSchema(
    { apiVersion: 'v1', kind: 'ConfigMap', namespaced: true },
    {
      data: configDataMap(stringValue).optional(),
      binaryData: configDataMap(base64Value).optional(),
      immutable: z.boolean().optional(),
    },
  ),
  ['data', 'binaryData'],
  (c, ctx) => {
    let size = 0;
    for (const [k, v] of Object.entries(c.data ?? {})) {
      size += k.length + v.length;
      if (c.binaryData && k in c.binaryData) duplicate(ctx, ['data', `[${k}]`], k);
    }
    for (const [k, v] of Object.entries(c.binaryData ?? {})) size += k.length + v.length;
    if (size > MAX_DATA_SIZE) invalid(ctx, [], '', `the total length of data must be no more than ${MAX_DATA_SIZE} bytes`);
  },
);

export type ConfigMap = z.output<typeof configMapSchema>;
export type ConfigMapInput = z.input<typeof configMapSchema>;

/** ConfigMap and Secret: once `immutable: true`, data and the flag itself are frozen. */
export function immutableData<T extends { immutable?: boolean | undefined; data?: unknown; binaryData?: unknown; stringData?: unknown }>(
  next: T,
  old: T,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!old.immutable) return errors;
  if (!next.immutable) errors.push(forbiddenUpdate(['immutable'], 'field is immutable when `immutable` is set'));
  if (!jsonEqual(next.data, old.data)) errors.push(forbiddenUpdate(['data'], 'field is immutable when `immutable` is set'));
  if (!jsonEqual(next.binaryData, old.binaryData)) errors.push(forbiddenUpdate(['binaryData'], 'field is immutable when `immutable` is set'));
  return errors;
}

export const configMapKind = defineKind<ConfigMap>({
  kind: 'ConfigMap',
  apiVersion: 'v1',
  resource: 'configmaps',
  shortNames: ['cm'],
  namespaced: true,
  hasStatus: false,
  schema: configMapSchema,
  validateUpdate: immutableData,
  columns: [nameColumn, column<ConfigMap>('DATA', (o) => String(Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length)), ageColumn],
});
