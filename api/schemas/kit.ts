// The building blocks every kind's schema is made of. Objects are strict (an unknown field is an
// error, never dropped); checks report through `report` so their wording is Kubernetes'.
import { z } from 'zod';
import type { FieldErrorType } from '../kind.js';
import { mapKey } from '../field-path.js';
import { quote, showValue } from './show-value.js';

export type Path = readonly (string | number)[];

/** A place to report errors: zod's refinement context, narrowed to what checks need. */
export interface Reporter {
  addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string; params: { type: FieldErrorType }; continue?: boolean }): void;
}

export function report(ctx: Reporter, path: Path, type: FieldErrorType, detail: string): void {
  // Continuable: the value is still well-typed (bad map entries are dropped), so rules across
  // fields still run and every error is reported at once.
  ctx.addIssue({ code: 'custom', path: [...path], message: detail, params: { type }, continue: true });
}

export const invalid = (ctx: Reporter, path: Path, value: unknown, why: string): void =>
  report(ctx, path, 'FieldValueInvalid', `Invalid value: ${showValue(value)}: ${why}`);
export const required = (ctx: Reporter, path: Path, why?: string): void =>
  report(ctx, path, 'FieldValueRequired', why === undefined ? 'Required value' : `Required value: ${why}`);
export const forbidden = (ctx: Reporter, path: Path, why: string): void => report(ctx, path, 'FieldValueForbidden', `Forbidden: ${why}`);
export const duplicate = (ctx: Reporter, path: Path, value: unknown): void =>
  report(ctx, path, 'FieldValueDuplicate', `Duplicate value: ${showValue(value)}`);
export const notFound = (ctx: Reporter, path: Path, value: unknown): void =>
  report(ctx, path, 'FieldValueInvalid', `Not found: ${showValue(value)}`);
export const notSupported = (ctx: Reporter, path: Path, value: unknown, supported: readonly string[]): void =>
  report(ctx, path, 'FieldValueNotSupported', `Unsupported value: ${showValue(value)}: supported values: ${supported.map(quote).join(', ')}`);

/** A strict object: unknown keys are refused. */
export const obj = <S extends z.core.$ZodLooseShape>(shape: S) => z.strictObject(shape);

/** One of a fixed set of strings. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values);

/** A string that must be present and not empty (Kubernetes treats "" as missing). */
export const requiredString = () => z.string().min(1);

/** A 32-bit integer (Kubernetes int32); `min` inclusive. */
export const int32 = (min?: number, max?: number) => {
  let s = z.int().min(min ?? -2147483648).max(max ?? 2147483647);
  return s;
};
/** A 64-bit-ish integer (safe JS integer). */
export const int64 = (min?: number) => (min === undefined ? z.int() : z.int().min(min));

export const port = () => z.int().min(1).max(65535);

/** RFC 3339 time as Kubernetes writes it (`2024-05-01T10:00:00Z`). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
export const timestamp = () =>
  z.string().superRefine((v, ctx) => {
    if (!RFC3339.test(v) || Number.isNaN(Date.parse(v))) invalid(ctx, [], v, 'must be an RFC 3339 time, e.g. "2024-05-01T10:00:00Z"');
  });

/** IntOrString: a port number or a name; a count or a percentage. */
export const intOrString = () =>
  z.custom<number | string>((v) => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'string', {
    error: (iss) => JSON.stringify([{ type: 'FieldValueTypeInvalid', detail: `Invalid value: ${showValue(iss.input)}: must be an integer or a string` }]),
  });

/**
 * A map from string keys to values checked by `check` (which returns the value to keep, or
 * undefined after reporting). Errors use `[key]` paths: `metadata.labels[app]`.
 */
export function stringMap<V>(
  check: (key: string, value: unknown, ctx: Reporter, path: Path) => V | undefined,
  whole?: (map: Record<string, V>, ctx: Reporter) => void,
) {
  return z
    .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
      error: (iss) => JSON.stringify([{ type: 'FieldValueTypeInvalid', detail: `Invalid value: ${showValue(iss.input)}: must be an object` }]),
    })
    .transform((input, ctx) => {
      const out: Record<string, V> = {};
      for (const [k, v] of Object.entries(input)) {
        const kept = check(k, v, ctx as unknown as Reporter, [mapKey(k)]);
        if (kept !== undefined) out[k] = kept;
      }
      whole?.(out, ctx as unknown as Reporter);
      return out;
    }) as unknown as z.ZodType<Record<string, V>, Record<string, V>>;
}

/** A map of plain strings (ConfigMap data, nodeSelector values checked elsewhere). */
export function stringValue(key: string, value: unknown, ctx: Reporter, path: Path): string | undefined {
  if (typeof value === 'string') return value;
  report(ctx, path, 'FieldValueTypeInvalid', `Invalid value: ${showValue(value)}: must be a string`);
  void key;
  return undefined;
}

/**
 * A rule across fields (names unique, mounts refer to volumes, ...). It runs even when other
 * parts of the object are broken, so all errors come at once — but not when a field it reads
 * (`deps`: paths relative to the schema, `*` for any list index or map key) failed to parse.
 * A dep starting with `!` must be entirely valid (e.g. a selector that is matched against labels).
 */
export function crossCheck<T extends z.ZodType>(schema: T, deps: readonly string[], fn: (value: z.output<T>, ctx: Reporter) => void): T {
  const patterns = deps.map((d) => ({ strict: d.startsWith('!'), segments: d.replace(/^!/, '').split('.') }));
  const blocks = (iss: { continue?: boolean; path?: PropertyKey[] }): boolean =>
    patterns.some(({ strict, segments }) => {
      if (iss.continue === true && !strict) return false;
      const path = iss.path ?? [];
      const n = Math.min(segments.length, path.length);
      for (let i = 0; i < n; i++) if (segments[i] !== '*' && segments[i] !== String(path[i])) return false;
      return true;
    });
  return schema.superRefine((v, ctx) => fn(v as z.output<T>, ctx as unknown as Reporter), {
    when: (payload) => !payload.issues.some(blocks),
  }) as T;
}

/** Reports duplicate values of `key(item)` among `items` (at `path[i].field`). */
export function unique<I>(ctx: Reporter, items: readonly I[] | undefined, key: (item: I) => string | undefined, path: (i: number) => Path): void {
  const seen = new Set<string>();
  (items ?? []).forEach((item, i) => {
    const k = key(item);
    if (k === undefined || k === '') return;
    if (seen.has(k)) duplicate(ctx, path(i), k);
    seen.add(k);
  });
}

/**
 * Defaulting that depends on other fields (imagePullPolicy from image, targetPort from port).
 * The result keeps the schema's key order and drops undefined keys, so defaulting an already
 * defaulted object gives the same bytes (stored objects are stable).
 */
export function withDefaults<T extends z.ZodObject, R extends object>(schema: T, fn: (value: z.output<T>) => R) {
  const keys = Object.keys(schema.shape);
  return schema.transform((v) => inKeyOrder(keys, fn(v)));
}

/** `value` with `keys` first in that order (then any others), undefined values dropped. */
export function inKeyOrder<R extends object>(keys: readonly string[], value: R): R {
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (src[k] !== undefined) out[k] = src[k];
  for (const k of Object.keys(src)) if (!(k in out) && src[k] !== undefined) out[k] = src[k];
  return out as R;
}
