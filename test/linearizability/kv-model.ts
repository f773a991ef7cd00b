// The sequential specification the history is checked against: one register per key, whose state
// is a value or "absent". Values are interned to small integers so that a step is a few integer
// comparisons; 0 means absent.
//
// Steps are deterministic given the state, also for operations whose result is unknown (an
// indeterminate compare-and-swap, if it took effect, succeeded exactly when the value matched), so
// a model state is a single integer and the search never branches on the model.
import type { KvInput, KvOutput, KvValue } from './history.js';

export const ABSENT = 0;
/**
 * Every value that no operation observes (no read returned it, no compare-and-swap expected it)
 * is interned as OTHER: the future of the search cannot tell such values apart, so configurations
 * that differ only in which of them the register holds are the same configuration.
 */
export const OTHER = 1;
/** Returned by `step` when the operation cannot happen in that state with the recorded result. */
export const REFUSED = -1;

export class ValueTable {
  readonly #ids = new Map<string, number>();
  readonly #values: string[] = ['', '(a value no operation observed)'];
  readonly #observed: ReadonlySet<string> | null;

  /** `observed`: the values operations can tell apart; null interns every value on its own. */
  constructor(observed: ReadonlySet<string> | null = null) {
    this.#observed = observed;
  }

  id(v: KvValue): number {
    if (v === null) return ABSENT;
    if (this.#observed !== null && !this.#observed.has(v)) return OTHER;
    let id = this.#ids.get(v);
    if (id === undefined) {
      id = this.#values.length;
      this.#values.push(v);
      this.#ids.set(v, id);
    }
    return id;
  }

  value(id: number): KvValue {
    if (id === ABSENT) return null;
    const v = this.#values[id];
    if (v === undefined) throw new Error(`unknown value id ${id}`);
    return v;
  }
}

export const StepKind = {
  Read: 0,
  Write: 1,
  CasSucceeded: 2,
  CasFailed: 3,
  CasUnknown: 4,
  DeleteExisted: 5,
  DeleteMissing: 6,
  DeleteUnknown: 7,
} as const;
export type StepKind = (typeof StepKind)[keyof typeof StepKind];

/** An operation reduced to what a step needs: `a` and `b` are value ids whose meaning depends on kind. */
export interface CompiledStep {
  readonly kind: StepKind;
  /** Read: the value seen. Cas: the expected value. */
  readonly a: number;
  /** Write and cas: the value written. */
  readonly b: number;
}

function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}

/**
 * `output` null means the result is unknown (an indeterminate operation). An indeterminate read
 * has no effect and no result and must be dropped before compiling.
 */
export function compileStep(input: KvInput, output: KvOutput | null, values: ValueTable): CompiledStep {
  if (output !== null && output.kind !== input.kind) throw new Error(`${input.kind} with a ${output.kind} output`);
  switch (input.kind) {
    case 'read':
      if (output === null || output.kind !== 'read') throw new Error('a read without a result cannot be checked; drop it');
      return { kind: StepKind.Read, a: values.id(output.value), b: 0 };
    case 'write':
      return { kind: StepKind.Write, a: 0, b: values.id(input.value) };
    case 'cas': {
      const kind = output === null || output.kind !== 'cas' ? StepKind.CasUnknown : output.succeeded ? StepKind.CasSucceeded : StepKind.CasFailed;
      return { kind, a: values.id(input.expected), b: values.id(input.value) };
    }
    case 'delete': {
      const kind = output === null || output.kind !== 'delete' ? StepKind.DeleteUnknown : output.deleted ? StepKind.DeleteExisted : StepKind.DeleteMissing;
      return { kind, a: 0, b: 0 };
    }
    default:
      return assertNever(input);
  }
}

/** The state after the step, or REFUSED. */
export function step(s: CompiledStep, state: number): number {
  switch (s.kind) {
    case StepKind.Read:
      return state === s.a ? state : REFUSED;
    case StepKind.Write:
      return s.b;
    case StepKind.CasSucceeded:
      return state === s.a ? s.b : REFUSED;
    case StepKind.CasFailed:
      return state !== s.a ? state : REFUSED;
    case StepKind.CasUnknown:
      return state === s.a ? s.b : state;
    case StepKind.DeleteExisted:
      return state !== ABSENT ? ABSENT : REFUSED;
    case StepKind.DeleteMissing:
      return state === ABSENT ? ABSENT : REFUSED;
    case StepKind.DeleteUnknown:
      return ABSENT;
    default:
      return assertNever(s.kind);
  }
}

/** The values an operation can tell apart from others: what reads returned and cas expected. */
export function observedValues(ops: Iterable<{ readonly input: KvInput; readonly output: KvOutput | null }>): Set<string> {
  const seen = new Set<string>();
  for (const { input, output } of ops) {
    if (input.kind === 'cas' && input.expected !== null) seen.add(input.expected);
    if (output !== null && output.kind === 'read' && output.value !== null) seen.add(output.value);
  }
  return seen;
}

/** Why `step` refused, in words, for explanations. */
export function refusalReason(s: CompiledStep, state: number, values: ValueTable): string {
  const show = (id: number): string => (id === ABSENT ? 'absent' : id === OTHER ? 'a value no operation observed' : JSON.stringify(values.value(id)));
  switch (s.kind) {
    case StepKind.Read:
      return `read saw ${show(s.a)} but the register held ${show(state)}`;
    case StepKind.CasSucceeded:
      return `cas succeeded expecting ${show(s.a)} but the register held ${show(state)}`;
    case StepKind.CasFailed:
      return `cas failed although the register held the expected ${show(s.a)}`;
    case StepKind.DeleteExisted:
      return 'delete removed a key but the key was absent';
    case StepKind.DeleteMissing:
      return `delete found no key but the register held ${show(state)}`;
    case StepKind.Write:
    case StepKind.CasUnknown:
    case StepKind.DeleteUnknown:
      return 'always possible';
    default:
      return assertNever(s.kind);
  }
}
