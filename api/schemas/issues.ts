// Turns zod's issues into Kubernetes field errors. Zod checks the shapes; this file owns the
// wording, so every message reads like the API server's: `Required value`,
// `Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`.
import type { z } from 'zod';
import type { FieldError, FieldErrorType } from '../kind.js';
import { formatPath } from '../field-path.js';
import { quote, showValue } from './show-value.js';

/** One error relative to the issue's path (unknown keys add the key). */
interface Detail {
  readonly sub?: string;
  readonly type: FieldErrorType;
  readonly detail: string;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'a list',
  record: 'an object',
  nonoptional: 'set',
};

/** Zod's raw issue as the error map sees it (shape of the parts we read). */
interface RawIssue {
  readonly code: string;
  readonly input?: unknown;
  readonly expected?: string;
  readonly origin?: string;
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
  readonly inclusive?: boolean;
  readonly values?: readonly unknown[];
  readonly keys?: readonly string[];
  readonly inst?: unknown;
}

function knownKeys(inst: unknown): readonly string[] {
  const shape = (inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

/** Levenshtein distance, bounded: used only to suggest a field name for a typo. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(cur + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function unknownField(key: string, known: readonly string[]): string {
  const base = `Unsupported field: Shoal does not support ${quote(key)}`;
  const lower = key.toLowerCase();
  const near = known.find((k) => k.toLowerCase() === lower) ?? known.find((k) => distance(k.toLowerCase(), lower) <= Math.min(2, Math.floor(k.length / 3)));
  return near === undefined ? base : `${base} (did you mean ${quote(near)}?)`;
}

function details(iss: RawIssue): Detail[] {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return [{ type: 'FieldValueRequired', detail: 'Required value' }];
      return [{ type: 'FieldValueTypeInvalid', detail: `Invalid value: ${showValue(iss.input)}: must be ${EXPECTED[iss.expected ?? ''] ?? iss.expected}` }];
    case 'too_small':
      if (iss.origin === 'array' || iss.origin === 'string') return [{ type: 'FieldValueRequired', detail: 'Required value' }];
      return [{ type: 'FieldValueInvalid', detail: `Invalid value: ${showValue(iss.input)}: must be greater than ${iss.inclusive ? 'or equal to ' : ''}${String(iss.minimum)}` }];
    case 'too_big':
      if (iss.origin === 'string') return [{ type: 'FieldValueTooLong', detail: `Too long: may not be more than ${String(iss.maximum)} bytes` }];
      if (iss.origin === 'array') return [{ type: 'FieldValueInvalid', detail: `Too many: must have at most ${String(iss.maximum)} items` }];
      return [{ type: 'FieldValueInvalid', detail: `Invalid value: ${showValue(iss.input)}: must be less than ${iss.inclusive ? 'or equal to ' : ''}${String(iss.maximum)}` }];
    case 'invalid_value': {
      if (iss.input === undefined) return [{ type: 'FieldValueRequired', detail: 'Required value' }];
      const supported = (iss.values ?? []).map((v) => showValue(v)).join(', ');
      return [{ type: 'FieldValueNotSupported', detail: `Unsupported value: ${showValue(iss.input)}: supported values: ${supported}` }];
    }
    case 'unrecognized_keys': {
      const known = knownKeys(iss.inst);
      return (iss.keys ?? []).map((k) => ({ sub: k, type: 'FieldValueUnknown' as const, detail: unknownField(k, known) }));
    }
    default:
      return [{ type: 'FieldValueInvalid', detail: `Invalid value: ${showValue(iss.input)}` }];
  }
}

/** Zod error map: encodes our details as the issue message (decoded by toFieldErrors). */
export const errorMap = (iss: unknown): string => JSON.stringify(details(iss as RawIssue));

/** Issues (parsed with `errorMap` and `reportInput`) to field errors, in the order zod found them. */
export function toFieldErrors(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const push = (e: FieldError): void => {
    const key = `${e.field}\u0000${e.detail}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(e);
  };
  for (const iss of issues) {
    const path = [...prefix, ...iss.path];
    if (iss.code === 'custom') {
      const type = (iss.params as { type?: FieldErrorType } | undefined)?.type ?? 'FieldValueInvalid';
      push({ field: formatPath(path), type, detail: iss.message });
      continue;
    }
    let decoded: Detail[];
    try {
      decoded = JSON.parse(iss.message) as Detail[];
    } catch {
      decoded = [{ type: 'FieldValueInvalid', detail: iss.message }];
    }
    for (const d of decoded) push({ field: formatPath(d.sub === undefined ? path : [...path, d.sub]), type: d.type, detail: d.detail });
  }
  return out;
}
