// Secret (v1): base64 `data` under config keys; `stringData` is a write-only convenience merged
// into `data` (it wins on conflicts) and never stored. type defaults to Opaque, is fixed once set,
// and well-known types require their keys.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import type { FieldError } from '../kind.js';
import { crossCheck, required, stringValue } from '../schemas/kit.js';
import { immutable } from '../schemas/update-rules.js';
import { ageColumn, column, nameColumn } from '../table/cells.js';
import { base64Value, configDataMap, immutableData, MAX_DATA_SIZE } from './config-map.js';

/** Keys each well-known type must have (any one of them when `anyOf`). */
const REQUIRED_KEYS: Readonly<Record<string, { keys: readonly string[]; anyOf?: boolean }>> = {
  'kubernetes.io/tls': { keys: ['tls.crt', 'tls.key'] },
  'kubernetes.io/dockerconfigjson': { keys: ['.dockerconfigjson'] },
  'kubernetes.io/dockercfg': { keys: ['.dockercfg'] },
  'kubernetes.io/basic-auth': { keys: ['username', 'password'], anyOf: true },
  'kubernetes.io/ssh-auth': { keys: ['ssh-privatekey'] },
};

export const secretSchema = crossCheck(
  kindSchema(
    { apiVersion: 'v1', kind: 'Secret', namespaced: true },
    {
      type: z.string().min(1).default('Opaque'),
      data: configDataMap(base64Value).optional(),
      stringData: configDataMap(stringValue).optional(),
      immutable: z.boolean().optional(),
    },
  ),
  ['data', 'stringData', 'type'],
  (s, ctx) => {
    const keys = new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]);
    const rule = REQUIRED_KEYS[s.type];
    if (rule) {
      const missing = rule.keys.filter((k) => !keys.has(k));
      if (rule.anyOf ? missing.length === rule.keys.length : missing.length > 0)
        for (const k of rule.anyOf ? rule.keys.slice(0, 1) : missing) required(ctx, ['data', `[${k}]`], rule.anyOf ? `one of ${rule.keys.join(', ')} is required` : undefined);
    }
    let size = 0;
    for (const [k, v] of Object.entries(s.data ?? {})) size += k.length + Math.floor((v.length * 3) / 4);
    for (const [k, v] of Object.entries(s.stringData ?? {})) size += k.length + Buffer.byteLength(v);
    if (size > MAX_DATA_SIZE) ctx.addIssue({ code: 'custom', path: ['data'], message: `Too long: may not be more than ${MAX_DATA_SIZE} bytes`, params: { type: 'FieldValueTooLong' } });
  },
).transform(({ stringData, ...s }) => {
  if (!stringData) return s;
  const data = { ...(s.data ?? {}) };
  for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
  return { ...s, data };
});

export type Secret = z.output<typeof secretSchema>;
export type SecretInput = z.input<typeof secretSchema>;

export function validateSecretUpdate(next: Secret, old: Secret): FieldError[] {
  const errors: FieldError[] = [...immutableData(next, old)];
  immutable(next.type, old.type, ['type'], errors);
  return errors;
}

export const secretKind = defineKind<Secret>({
  kind: 'Secret',
  apiVersion: 'v1',
  resource: 'secrets',
  namespaced: true,
  hasStatus: false,
  schema: secretSchema,
  validateUpdate: validateSecretUpdate,
  fieldLabels: (s) => ({ type: s.type ?? '' }),
  columns: [nameColumn, column<Secret>('TYPE', (s) => s.type), column<Secret>('DATA', (s) => String(Object.keys(s.data ?? {}).length)), ageColumn],
});
