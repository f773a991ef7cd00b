// Field selectors: `metadata.name=web,status.phase!=Running`. Only `=`, `==` and `!=`, joined
// by commas; `\,` `\=` `\!` and `\\` escape those characters in values. A field must be one of the
// kind's field labels (KindDefinition.fieldLabels).
import { SelectorError, type Parsed } from './selector-error.js';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** A missing field reads as "" (as in Kubernetes). */
  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '='));
  }

  /** The value this selector pins `field` to with `=`, if any (lets a server narrow a list). */
  exactValue(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(',');
  }
}

const escapeValue = (v: string): string => v.replace(/[\\,=!]/g, (c) => `\\${c}`);

/** Splits on unescaped `sep`, keeping escapes (removed later from values). */
function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      cur += c + text[i + 1]!;
      i++;
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function unescape(v: string): string | undefined {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\\') {
      const n = v[i + 1];
      if (n === undefined || !'\\,=!'.includes(n)) return undefined;
      out += n;
      i++;
    } else if (c === '=' || c === '!' || c === ',') return undefined;
    else out += c;
  }
  return out;
}

/**
 * Parses a field selector. With `supported` (the kind's field label names), an unknown field is
 * an error naming the supported ones.
 */
export function parseFieldSelector(text: string, supported?: readonly string[]): Parsed<FieldSelector> {
  const fail = (code: 'InvalidFieldSelector' | 'UnsupportedFieldLabel', why: string): Parsed<FieldSelector> => ({
    ok: false,
    error: new SelectorError(code, code === 'InvalidFieldSelector' ? `invalid field selector ${JSON.stringify(text)}: ${why}` : why, text),
  });
  if (text.trim() === '') return { ok: true, selector: FieldSelector.everything() };
  const reqs: FieldRequirement[] = [];
  for (const part of splitUnescaped(text, ',')) {
    const m = /^([^=!\s]+)\s*(==|!=|=)(.*)$/.exec(part.trim());
    if (!m) return fail('InvalidFieldSelector', `${JSON.stringify(part)} is not of the form field=value, field==value or field!=value`);
    const [, field, op, rawValue] = m as unknown as [string, string, string, string];
    const value = unescape(rawValue);
    if (value === undefined) return fail('InvalidFieldSelector', `invalid value ${JSON.stringify(rawValue)} for ${field}: escape '\\', ',', '=' and '!' with '\\'`);
    if (supported && !supported.includes(field))
      return fail('UnsupportedFieldLabel', `field label not supported: ${JSON.stringify(field)} (supported: ${supported.map((s) => JSON.stringify(s)).join(', ')})`);
    reqs.push({ field, operator: op === '!=' ? '!=' : '=', value });
  }
  return { ok: true, selector: new FieldSelector(reqs) };
}
