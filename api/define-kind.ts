// Turns one kind's schema into its KindDefinition: validation + defaulting (zod parse with
// Kubernetes wording), update rules, field labels and table columns. Everything about a kind is
// in its file under kinds/; this is the one place that wires it together.
import { z } from 'zod';
import type { FieldError, KindDefinition, KubeObject, TableColumn, Validation } from './kind.js';
import { errorMap, toFieldErrors } from './schemas/issues.js';
import { obj } from './schemas/kit.js';
import { objectMetaSchema } from './schemas/object-meta.js';
import { dns1123Subdomain, type NameCheck } from './schemas/names.js';
import { showValue } from './schemas/show-value.js';

export interface KindNames {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespaced: boolean;
  /** Name syntax; DNS-1123 subdomain unless said otherwise. */
  readonly name?: NameCheck;
}

/** The object schema of a kind: apiVersion, kind, metadata, plus the kind's own fields. */
export function kindSchema<S extends z.core.$ZodLooseShape>(names: KindNames, shape: S) {
  return obj({
    apiVersion: z.literal(names.apiVersion),
    kind: z.literal(names.kind),
    metadata: objectMetaSchema({ name: names.name ?? dns1123Subdomain, namespaced: names.namespaced }),
    ...shape,
  });
}

export interface KindSpec<T> {
  readonly kind: string;
  readonly apiVersion: string;
  readonly resource: string;
  readonly shortNames?: readonly string[];
  readonly namespaced: boolean;
  readonly hasStatus: boolean;
  /** Parses and defaults; output is the stored form. */
  readonly schema: z.ZodType<T>;
  readonly validateUpdate?: (next: T, old: T) => FieldError[];
  /** Field selector labels beyond metadata.name and metadata.namespace. Must accept a bare `{metadata: {}}`. */
  readonly fieldLabels?: (object: T) => Record<string, string>;
  readonly columns: readonly TableColumn[];
}

/** A KindDefinition that also carries its schema and typed helpers. */
export interface ShoalKind<T extends KubeObject = KubeObject> extends KindDefinition {
  readonly schema: z.ZodType<T>;
  /** Field labels a field selector may use on this kind. */
  readonly fieldLabelNames: readonly string[];
  validate(input: unknown): Validation<T>;
}

/** Kubernetes treats an explicit null as "not set": drop nulls from objects (copying the input). */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
    return out;
  }
  return value;
}

export function defineKind<T extends KubeObject>(spec: KindSpec<T>): ShoalKind<T> {
  const group = spec.apiVersion.includes('/') ? spec.apiVersion.slice(0, spec.apiVersion.indexOf('/')) : '';
  const fieldLabels = (o: KubeObject): Record<string, string> => ({
    'metadata.name': o.metadata?.name ?? '',
    'metadata.namespace': o.metadata?.namespace ?? '',
    ...(spec.fieldLabels?.(o as T) ?? {}),
  });
  const fieldLabelNames = Object.keys(fieldLabels({ apiVersion: spec.apiVersion, kind: spec.kind, metadata: {} }));
  const validate = (input: unknown): Validation<T> => {
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      return { ok: false, errors: [{ field: '', type: 'FieldValueTypeInvalid', detail: `Invalid value: ${showValue(input)}: must be an object` }] };
    const r = spec.schema.safeParse(withoutNulls(input), { reportInput: true, error: errorMap });
    if (r.success) return { ok: true, object: r.data };
    return { ok: false, errors: toFieldErrors(r.error.issues) };
  };
  return {
    kind: spec.kind,
    apiVersion: spec.apiVersion,
    group,
    resource: spec.resource,
    singular: spec.kind.toLowerCase(),
    shortNames: spec.shortNames ?? [],
    namespaced: spec.namespaced,
    hasStatus: spec.hasStatus,
    schema: spec.schema,
    fieldLabelNames,
    validate,
    validateUpdate: (next, old) => spec.validateUpdate?.(next as T, old as T) ?? [],
    fieldLabels,
    columns: spec.columns,
  };
}
