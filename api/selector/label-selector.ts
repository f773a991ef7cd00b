// Label selectors: the string syntax (`app=web,tier!=db,env in (prod,qa),!canary`) and the
// object form (matchLabels/matchExpressions) become one list of requirements, all of which must
// match. Semantics as Kubernetes: `!=` and `notin` also match objects without the label.
import { labelValue, qualifiedName } from '../schemas/names.js';
import type { LabelSelectorObject } from '../schemas/label-selector.js';
import { SelectorError, type Parsed } from './selector-error.js';

export type LabelOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

export class LabelSelector {
  constructor(readonly requirements: readonly LabelRequirement[]) {}

  /** Matches every object. */
  static everything(): LabelSelector {
    return new LabelSelector([]);
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    const l = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, l));
  }

  /** The string form, parseable by parseLabelSelector. */
  toString(): string {
    return this.requirements.map(requirementText).join(',');
  }
}

function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case 'In':
      return has && r.values.includes(labels[r.key]!);
    case 'NotIn':
      return !has || !r.values.includes(labels[r.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

function requirementText(r: LabelRequirement): string {
  switch (r.operator) {
    case 'In':
      return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
    case 'NotIn':
      return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${r.values.join(',')})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
  }
}

/** From a LabelSelector object (already validated by its schema). */
export function labelSelectorFromObject(s: LabelSelectorObject | undefined): LabelSelector {
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(s?.matchLabels ?? {})) reqs.push({ key, operator: 'In', values: [value] });
  for (const e of s?.matchExpressions ?? []) reqs.push({ key: e.key, operator: e.operator, values: [...(e.values ?? [])] });
  return new LabelSelector(reqs);
}

/** From a plain map (ReplicationController and Service selectors): every pair must match. */
export function labelSelectorFromMap(map: Readonly<Record<string, string>> | undefined): LabelSelector {
  return new LabelSelector(Object.entries(map ?? {}).map(([key, value]) => ({ key, operator: 'In' as const, values: [value] })));
}

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly at: number }
  | { readonly kind: 'op'; readonly text: '=' | '==' | '!=' | '!' | '(' | ')' | ','; readonly at: number };

const SPECIAL = new Set(['=', '!', '(', ')', ',', '<', '>', ' ', '\t', '\n', '\r']);

function tokenize(text: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '=' && text[i + 1] === '=') {
      out.push({ kind: 'op', text: '==', at: i });
      i += 2;
    } else if (c === '!' && text[i + 1] === '=') {
      out.push({ kind: 'op', text: '!=', at: i });
      i += 2;
    } else if (c === '=' || c === '!' || c === '(' || c === ')' || c === ',') {
      out.push({ kind: 'op', text: c, at: i });
      i++;
    } else if (c === '<' || c === '>') {
      return `unsupported operator "${c}" at position ${i}`;
    } else {
      const start = i;
      while (i < text.length && !SPECIAL.has(text[i]!)) i++;
      out.push({ kind: 'word', text: text.slice(start, i), at: start });
    }
  }
  return out;
}

/** Parses `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-joined. "" matches everything. */
export function parseLabelSelector(text: string): Parsed<LabelSelector> {
  const fail = (why: string): Parsed<LabelSelector> => ({
    ok: false,
    error: new SelectorError('InvalidLabelSelector', `unable to parse label selector ${JSON.stringify(text)}: ${why}`, text),
  });
  const tokens = tokenize(text);
  if (typeof tokens === 'string') return fail(tokens);
  const reqs: LabelRequirement[] = [];
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const describe = (t: Token | undefined): string => (t === undefined ? 'end of input' : `"${t.text}" at position ${t.at}`);
  const checkKey = (key: string): string | undefined => qualifiedName(key).map((e) => `invalid label key "${key}": ${e}`)[0];
  const checkValue = (v: string): string | undefined => labelValue(v).map((e) => `invalid label value "${v}": ${e}`)[0];

  if (tokens.length === 0) return { ok: true, selector: LabelSelector.everything() };
  for (;;) {
    let t = peek();
    if (t?.kind === 'op' && t.text === '!') {
      i++;
      t = peek();
      if (t?.kind !== 'word') return fail(`expected a label key after "!", found ${describe(t)}`);
      const bad = checkKey(t.text);
      if (bad) return fail(bad);
      reqs.push({ key: t.text, operator: 'DoesNotExist', values: [] });
      i++;
    } else if (t?.kind === 'word') {
      const key = t.text;
      const bad = checkKey(key);
      if (bad) return fail(bad);
      i++;
      const op = peek();
      if (op === undefined || (op.kind === 'op' && op.text === ',')) {
        reqs.push({ key, operator: 'Exists', values: [] });
      } else if (op.kind === 'op' && (op.text === '=' || op.text === '==' || op.text === '!=')) {
        i++;
        const v = peek();
        let value = '';
        if (v?.kind === 'word') {
          value = v.text;
          i++;
        } else if (v !== undefined && !(v.kind === 'op' && v.text === ',')) return fail(`expected a value after "${op.text}", found ${describe(v)}`);
        const badValue = checkValue(value);
        if (badValue) return fail(badValue);
        reqs.push({ key, operator: op.text === '!=' ? 'NotIn' : 'In', values: [value] });
      } else if (op.kind === 'word' && (op.text === 'in' || op.text === 'notin')) {
        i++;
        if (!(peek()?.kind === 'op' && peek()?.text === '(')) return fail(`expected "(" after "${op.text}", found ${describe(peek())}`);
        i++;
        const values: string[] = [];
        for (;;) {
          const v = peek();
          if (v?.kind === 'word') {
            const badValue = checkValue(v.text);
            if (badValue) return fail(badValue);
            values.push(v.text);
            i++;
          } else values.push('');
          const sep = peek();
          if (sep?.kind === 'op' && sep.text === ',') {
            i++;
            continue;
          }
          if (sep?.kind === 'op' && sep.text === ')') {
            i++;
            break;
          }
          return fail(`expected "," or ")" in the values of "${key}", found ${describe(sep)}`);
        }
        if (values.length === 1 && values[0] === '') return fail(`for 'in', 'notin' operators, values set can't be empty (key "${key}")`);
        reqs.push({ key, operator: op.text === 'in' ? 'In' : 'NotIn', values });
      } else {
        return fail(`expected "=", "==", "!=", "in" or "notin" after "${key}", found ${describe(op)}`);
      }
    } else {
      return fail(`expected a label key or "!", found ${describe(t)}`);
    }
    const sep = peek();
    if (sep === undefined) break;
    if (sep.kind === 'op' && sep.text === ',') {
      i++;
      if (peek() === undefined) return fail('expected a requirement after ","');
      continue;
    }
    return fail(`expected "," or end of input, found ${describe(sep)}`);
  }
  return { ok: true, selector: new LabelSelector(reqs) };
}
