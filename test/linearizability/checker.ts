// Linearizability of a key-value history. Keys are independent registers, so a history is
// linearizable exactly when each key's sub-history is (P-compositionality, Herlihy & Wing);
// each key is searched on its own by searchPartition.
//
// What is checked per key:
// - `fail` operations are dropped: they certainly had no effect.
// - Indeterminate (`info`) reads are dropped: a read has no effect and its result is unknown.
// - Other indeterminate operations may be linearized anywhere after their invocation, or never.
import type { KvOutput, KvValue, Operation } from './history.js';
import { compileStep, observedValues, refusalReason, step, REFUSED, ValueTable } from './kv-model.js';
import type { CompiledStep } from './kv-model.js';
import { searchPartition } from './wgl-search.js';

export interface CheckOptions {
  /** Search steps allowed per key before giving up with verdict "unknown". Default 20 million. */
  readonly maxStepsPerKey?: number;
  /** The value of each key before the history starts. Default: absent. */
  readonly initialValue?: (key: string) => KvValue;
}

export interface KeyStats {
  readonly key: string;
  /** Operations searched (after dropping `fail` and indeterminate reads). */
  readonly operations: number;
  readonly indeterminate: number;
  readonly steps: number;
  readonly cacheEntries: number;
  readonly outcome: 'linearizable' | 'violation' | 'budget-exhausted';
}

export interface Unplaceable {
  readonly op: Operation;
  /** Why it could not come next after the partial linearization. */
  readonly reason: string;
}

export interface Explanation {
  /** The longest partial linearization the search reached, in order. */
  readonly linearized: readonly Operation[];
  /** The register's value after `linearized`. */
  readonly valueAfter: KvValue;
  /** The completed operation that had to be linearized next but could not be. */
  readonly blocking: Operation;
  /** Every operation that could have come next, with the reason it did not. */
  readonly unplaceable: readonly Unplaceable[];
}

export type CheckResult =
  | { readonly ok: true; readonly verdict: 'linearizable'; readonly keys: readonly KeyStats[] }
  | { readonly ok: false; readonly verdict: 'violation'; readonly key: string; readonly explanation: Explanation; readonly keys: readonly KeyStats[] }
  | { readonly ok: false; readonly verdict: 'unknown'; readonly key: string; readonly reason: string; readonly keys: readonly KeyStats[] };

const DEFAULT_MAX_STEPS_PER_KEY = 20_000_000;

export function partitionByKey(history: readonly Operation[]): Map<string, Operation[]> {
  const byKey = new Map<string, Operation[]>();
  for (const op of history) {
    if (op.completion.type === 'fail') continue;
    if (op.completion.type === 'info' && op.input.kind === 'read') continue;
    if (op.completion.type === 'ok' && op.completion.at < op.invokedAt) throw new Error(`operation ${op.id} completes before it is invoked`);
    let ops = byKey.get(op.key);
    if (ops === undefined) byKey.set(op.key, (ops = []));
    ops.push(op);
  }
  for (const ops of byKey.values()) ops.sort((a, b) => (a.invokedAt < b.invokedAt ? -1 : a.invokedAt > b.invokedAt ? 1 : a.id - b.id));
  return byKey;
}

/** Replays the partial linearization with the actual values (the search merges unobserved ones). */
function explain(
  ops: readonly Operation[],
  io: readonly { input: Operation['input']; output: KvOutput | null }[],
  partial: readonly number[],
  blocking: number,
  candidates: readonly number[],
  initial: KvValue,
): Explanation {
  const exact = new ValueTable();
  const compiled = (i: number): CompiledStep => {
    const x = io[i] as { input: Operation['input']; output: KvOutput | null };
    return compileStep(x.input, x.output, exact);
  };
  let state = exact.id(initial);
  for (const i of partial) {
    const next = step(compiled(i), state);
    if (next === REFUSED) throw new Error(`replaying the partial linearization: operation ${(ops[i] as Operation).id} refused`);
    state = next;
  }
  return {
    linearized: partial.map((i) => ops[i] as Operation),
    valueAfter: exact.value(state),
    blocking: ops[blocking] as Operation,
    unplaceable: candidates.map((i) => {
      const s = compiled(i);
      const reason = step(s, state) === REFUSED ? refusalReason(s, state, exact) : 'allowed here, but every continuation dead-ends';
      return { op: ops[i] as Operation, reason };
    }),
  };
}

export function checkHistory(history: readonly Operation[], options: CheckOptions = {}): CheckResult {
  const maxSteps = options.maxStepsPerKey ?? DEFAULT_MAX_STEPS_PER_KEY;
  if (!(maxSteps > 0)) throw new Error(`maxStepsPerKey must be positive, got ${maxSteps}`);
  const byKey = partitionByKey(history);
  const keys: KeyStats[] = [];
  let violation: { key: string; explanation: Explanation } | null = null;
  let unknown: string | null = null;

  for (const key of [...byKey.keys()].sort()) {
    const ops = byKey.get(key) as Operation[];
    const io = ops.map((op) => ({ input: op.input, output: op.completion.type === 'ok' ? op.completion.output : null }));
    const values = new ValueTable(observedValues(io));
    const steps: CompiledStep[] = io.map(({ input, output }) => compileStep(input, output, values));
    const initialState = values.id(options.initialValue?.(key) ?? null);
    const r = searchPartition({
      steps,
      calls: ops.map((op) => op.invokedAt),
      returns: ops.map((op) => (op.completion.type === 'ok' ? op.completion.at : null)),
      initialState,
      maxSteps,
    });
    keys.push({
      key,
      operations: ops.length,
      indeterminate: ops.filter((op) => op.completion.type !== 'ok').length,
      steps: r.steps,
      cacheEntries: r.cacheEntries,
      outcome: r.outcome,
    });
    if (r.outcome === 'violation' && violation === null) {
      violation = { key, explanation: explain(ops, io, r.partial, r.blocking, r.candidates, options.initialValue?.(key) ?? null) };
    }
    if (r.outcome === 'budget-exhausted' && unknown === null) unknown = key;
  }

  if (violation !== null) return { ok: false, verdict: 'violation', key: violation.key, explanation: violation.explanation, keys };
  if (unknown !== null) {
    return { ok: false, verdict: 'unknown', key: unknown, reason: `search budget of ${maxSteps} steps exhausted: history too large or too concurrent`, keys };
  }
  return { ok: true, verdict: 'linearizable', keys };
}
