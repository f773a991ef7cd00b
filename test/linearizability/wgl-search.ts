// Wing & Gong's linearizability search with Lowe's memoization, for one partition (one key).
//
// Completed operations form a list of call and return entries in time order. The search walks
// the list: at a call entry it tries to linearize that operation now (the model accepts it in the
// current state and the configuration is new), lifting its call and return out of the list;
// reaching a return entry means every operation that could come next has been tried, so the
// search backtracks. Success: the list is empty.
//
// Indeterminate operations (never completed, so returning at +∞) are kept apart: they may come
// next whenever they were invoked before the earliest pending return, and they may also never
// happen at all. The search tries them only after the completed candidates, so the first path to
// reach a configuration is the one using the fewest of them.
//
// Memoization: a configuration is (completed operations linearized F, indeterminate ones
// linearized I, model state s). Leaving an indeterminate operation out never removes a future
// (it can still be placed later, or never), so (F, I, s) is subsumed by an explored (F, I', s)
// with I' ⊆ I and is pruned. F is encoded exactly but compactly: the number k such that every
// completed operation invoked before the k-th is in F, plus the members of F after k (few: they
// all overlap the k-th).
//
// Reductions, each keeping the answer exact (test: brute force agrees on small histories):
// - A candidate that leaves the state unchanged wherever it is allowed (read, failed cas, delete
//   of nothing) and is allowed now is linearized now, without trying alternatives.
// - An indeterminate operation that would change nothing is not placed.
// - Indeterminate operations with the same step (same kind and values) are interchangeable; only
//   the earliest unused one is tried.
// - A blind indeterminate operation (write, delete) is not placed right after another
//   indeterminate one: the same path without that one is explored too.
// - Values no operation observes are one state (see kv-model OTHER).
import { REFUSED, StepKind, step } from './kv-model.js';
import type { CompiledStep } from './kv-model.js';

export interface PartitionInput {
  /** One per operation, in invocation order. */
  readonly steps: readonly CompiledStep[];
  readonly calls: readonly bigint[];
  /** null: never completed (indeterminate). */
  readonly returns: readonly (bigint | null)[];
  readonly initialState: number;
  readonly maxSteps: number;
}

export type PartitionResult =
  | { readonly outcome: 'linearizable'; readonly steps: number; readonly cacheEntries: number; readonly order: number[] }
  | {
      readonly outcome: 'violation';
      readonly steps: number;
      readonly cacheEntries: number;
      /** The longest partial linearization the search reached, in order. */
      readonly partial: number[];
      /** Model state after `partial`. */
      readonly state: number;
      /** The completed operation whose return was reached without being able to linearize it. */
      readonly blocking: number;
      /** Operations that could have come next at that point (including `blocking`), in invocation order. */
      readonly candidates: number[];
    }
  | { readonly outcome: 'budget-exhausted'; readonly steps: number; readonly cacheEntries: number };

interface Frame {
  readonly op: number;
  readonly stateBefore: number;
  /** Linearized by the partial-order reduction: no alternative to it needs trying. */
  readonly forced: boolean;
  readonly parent: Frame | null;
}

/** The state after it does not depend on the state before. */
function isBlind(s: CompiledStep): boolean {
  return s.kind === StepKind.Write || s.kind === StepKind.DeleteUnknown;
}

function isStatePreserving(s: CompiledStep): boolean {
  return s.kind === StepKind.Read || s.kind === StepKind.CasFailed || s.kind === StepKind.DeleteMissing;
}

function chain(top: Frame | null): number[] {
  const out: number[] = [];
  for (let f = top; f !== null; f = f.parent) out.push(f.op);
  return out.reverse();
}

function isSubset(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (((a[i] as number) & ~(b[i] as number)) !== 0) return false;
  return true;
}

export function searchPartition(input: PartitionInput): PartitionResult {
  const n = input.steps.length;
  if (input.calls.length !== n || input.returns.length !== n) throw new Error('steps, calls and returns differ in length');
  for (let i = 1; i < n; i++) {
    if ((input.calls[i] as bigint) < (input.calls[i - 1] as bigint)) throw new Error('operations must be in invocation order');
  }

  // Completed operations: call of op i is entry 2i, its return 2i+1; HEAD is 2n.
  // Equal times: calls first (treated as overlapping).
  const HEAD = 2 * n;
  const isInfo = new Uint8Array(n);
  const infoOps: number[] = []; // in invocation order
  const infoSlot = new Int32Array(n).fill(-1);
  const entries: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = input.returns[i];
    if (r === null || r === undefined) {
      isInfo[i] = 1;
      infoSlot[i] = infoOps.length;
      infoOps.push(i);
      continue;
    }
    if (r < (input.calls[i] as bigint)) throw new Error(`operation ${i} returns before it is called`);
    entries.push(2 * i, 2 * i + 1);
  }
  const time = (e: number): bigint => ((e & 1) === 0 ? (input.calls[e >> 1] as bigint) : (input.returns[e >> 1] as bigint));
  entries.sort((x, y) => {
    const tx = time(x);
    const ty = time(y);
    if (tx !== ty) return tx < ty ? -1 : 1;
    const rx = x & 1;
    const ry = y & 1;
    return rx !== ry ? rx - ry : x - y;
  });
  const next = new Int32Array(2 * n + 1).fill(-1);
  const prev = new Int32Array(2 * n + 1).fill(-1);
  let last = HEAD;
  for (const e of entries) {
    next[last] = e;
    prev[e] = last;
    last = e;
  }
  const unlink = (e: number): void => {
    const p = prev[e] as number;
    const nx = next[e] as number;
    next[p] = nx;
    if (nx !== -1) prev[nx] = p;
  };
  const relink = (e: number): void => {
    const p = prev[e] as number;
    const nx = next[e] as number;
    next[p] = e;
    if (nx !== -1) prev[nx] = e;
  };

  // The linearized set.
  const inL = new Uint8Array(n);
  const finiteBefore = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) finiteBefore[i + 1] = (finiteBefore[i] as number) + (isInfo[i] ? 0 : 1);
  let k = 0;
  while (k < n && isInfo[k]) k++;
  let finiteInL = 0;
  const infoSet = new Uint32Array(Math.max(1, Math.ceil(infoOps.length / 32)));
  const add = (op: number): void => {
    inL[op] = 1;
    if (isInfo[op]) {
      const slot = infoSlot[op] as number;
      infoSet[slot >> 5] = (infoSet[slot >> 5] as number) | (1 << (slot & 31));
      return;
    }
    finiteInL++;
    if (op === k) while (k < n && (isInfo[k] || inL[k])) k++;
  };
  const remove = (op: number): void => {
    inL[op] = 0;
    if (isInfo[op]) {
      const slot = infoSlot[op] as number;
      infoSet[slot >> 5] = (infoSet[slot >> 5] as number) & ~(1 << (slot & 31));
      return;
    }
    finiteInL--;
    if (op < k) k = op;
  };
  const finiteKey = (state: number): string => {
    let s = `${state}:${k}`;
    let beyond = finiteInL - (finiteBefore[k] as number);
    for (let j = k + 1; beyond > 0; j++) {
      if (inL[j] && !isInfo[j]) {
        s += `,${j}`;
        beyond--;
      }
    }
    return s;
  };
  const prevTwin = new Int32Array(infoOps.length).fill(-1);
  {
    const lastOfShape = new Map<string, number>();
    for (const op of infoOps) {
      const st = input.steps[op] as CompiledStep;
      const shape = `${st.kind}:${st.a}:${st.b}`;
      prevTwin[infoSlot[op] as number] = lastOfShape.get(shape) ?? -1;
      lastOfShape.set(shape, op);
    }
  }
  const cache = new Map<string, Uint32Array[]>();
  let cacheEntries = 0;
  /** Records the current configuration (with `state`) unless an explored one subsumes it. */
  const isNew = (state: number): boolean => {
    const key = finiteKey(state);
    let explored = cache.get(key);
    if (explored === undefined) cache.set(key, (explored = []));
    else for (const s of explored) if (isSubset(s, infoSet)) return false;
    explored.push(infoSet.slice());
    cacheEntries++;
    return true;
  };
  /** Time of the earliest pending return; indeterminate operations invoked after it cannot come next. */
  const firstReturn = (): { entry: number; time: bigint } | null => {
    for (let e = next[HEAD] as number; e !== -1; e = next[e] as number) if (e & 1) return { entry: e, time: time(e) };
    return null;
  };

  let state = input.initialState;
  let top: Frame | null = null;
  let depth = 0;
  let steps = 0;
  let best: { depth: number; top: Frame | null; state: number; blocking: number; candidates: number[] } | null = null;

  // Where the search is in the current configuration: just arrived (look for a forced operation),
  // walking completed candidates from `entry`, or indeterminate ones from infoOps[infoIdx] up to
  // `limit` (the time of the earliest pending return).
  let phase: 'arrived' | 'completed' | 'indeterminate' = 'arrived';
  let entry = -1;
  let infoIdx = 0;
  let limit = 0n;

  const push = (op: number, s: number, forced: boolean): void => {
    top = { op, stateBefore: state, forced, parent: top };
    depth++;
    state = s;
    if (!isInfo[op]) {
      unlink(2 * op);
      unlink(2 * op + 1);
    }
    phase = 'arrived';
  };
  const pop = (): Frame => {
    const f = top as Frame;
    top = f.parent;
    depth--;
    state = f.stateBefore;
    remove(f.op);
    if (!isInfo[f.op]) {
      relink(2 * f.op + 1);
      relink(2 * f.op);
    }
    return f;
  };

  for (;;) {
    if (++steps > input.maxSteps) return { outcome: 'budget-exhausted', steps, cacheEntries };
    if (next[HEAD] === -1) break; // every completed operation is linearized

    let deadEnd = false;
    if (phase === 'arrived') {
      // Partial-order reduction: an operation that leaves the state as it is wherever it is
      // allowed (read, failed cas, delete of nothing) and is allowed now can be moved to the
      // front of any linearization of the rest (it is a candidate, so nothing pending must
      // precede it). So it is linearized now and no alternative is tried here: this
      // configuration succeeds exactly when the one after it does.
      let forced = -1;
      for (let e = next[HEAD] as number; e !== -1 && (e & 1) === 0; e = next[e] as number) {
        const op = e >> 1;
        if (isStatePreserving(input.steps[op] as CompiledStep) && step(input.steps[op] as CompiledStep, state) !== REFUSED) {
          forced = op;
          break;
        }
      }
      if (forced === -1) {
        phase = 'completed';
        entry = next[HEAD] as number;
        continue;
      }
      add(forced);
      if (isNew(state)) {
        push(forced, state, true);
        continue;
      }
      remove(forced);
      deadEnd = true;
    } else if (phase === 'completed') {
      if ((entry & 1) === 0) {
        const op = entry >> 1;
        const s = step(input.steps[op] as CompiledStep, state);
        if (s !== REFUSED) {
          add(op);
          if (isNew(s)) {
            push(op, s, false);
            continue;
          }
          remove(op);
        }
        entry = next[entry] as number;
        continue;
      }
      phase = 'indeterminate';
      infoIdx = 0;
      limit = time(entry);
      continue;
    } else {
      // One indeterminate candidate per step. One that would change nothing is skipped: leaving
      // it out is never worse.
      const op = infoOps[infoIdx];
      if (op !== undefined && (input.calls[op] as bigint) <= limit) {
        infoIdx++;
        if (inL[op]) continue;
        const st = input.steps[op] as CompiledStep;
        // Twins (same kind, same values) are interchangeable; the earliest unused one stands for all.
        let twin = prevTwin[infoSlot[op] as number] as number;
        while (twin !== -1 && inL[twin]) twin = prevTwin[infoSlot[twin] as number] as number;
        if (twin !== -1) continue;
        // Right after another indeterminate operation, a blind one (write, delete) makes that
        // one pointless: the same path without it is already explored.
        if (top !== null && isInfo[(top as Frame).op] && isBlind(st)) continue;
        const s = step(st, state);
        if (s === REFUSED || s === state) continue;
        add(op);
        if (isNew(s)) push(op, s, false);
        else remove(op);
        continue;
      }
      deadEnd = true;
    }
    if (!deadEnd) continue;

    // Nothing can come next here.
    if (best === null || depth > best.depth) {
      const r = firstReturn();
      const candidates: number[] = [];
      for (let e = next[HEAD] as number; e !== -1 && (e & 1) === 0; e = next[e] as number) candidates.push(e >> 1);
      for (const op of infoOps) if (!inL[op] && r !== null && (input.calls[op] as bigint) <= r.time) candidates.push(op);
      best = { depth, top, state, blocking: r === null ? -1 : r.entry >> 1, candidates: candidates.sort((a, b) => a - b) };
    }
    let f: Frame;
    do {
      if (top === null) {
        return {
          outcome: 'violation',
          steps,
          cacheEntries,
          partial: chain(best.top),
          state: best.state,
          blocking: best.blocking,
          candidates: best.candidates,
        };
      }
      f = pop();
    } while (f.forced);
    if (isInfo[f.op]) {
      phase = 'indeterminate';
      infoIdx = (infoSlot[f.op] as number) + 1;
      const r = firstReturn();
      if (r === null) throw new Error('backtracked to a configuration with no pending return');
      limit = r.time;
    } else {
      phase = 'completed';
      entry = next[2 * f.op] as number;
    }
  }
  return { outcome: 'linearizable', steps, cacheEntries, order: chain(top) };
}
