// Test helper: the definition of linearizability, checked by enumerating every order. Only for
// tiny single-key histories; the reference the real checker is compared against.
import type { KvValue, Operation } from './history.js';

function apply(op: Operation, state: KvValue): KvValue | undefined {
  const out = op.completion.type === 'ok' ? op.completion.output : null;
  const i = op.input;
  switch (i.kind) {
    case 'read':
      return out?.kind === 'read' && out.value === state ? state : undefined;
    case 'write':
      return i.value;
    case 'cas':
      if (out === null) return state === i.expected ? i.value : state;
      if (out.kind !== 'cas') return undefined;
      if (out.succeeded) return state === i.expected ? i.value : undefined;
      return state !== i.expected ? state : undefined;
    case 'delete':
      if (out === null) return null;
      if (out.kind !== 'delete') return undefined;
      return out.deleted === (state !== null) ? null : undefined;
  }
}

/** Is there an order of all ok operations plus some indeterminate ones, respecting real time, that the register accepts? */
export function bruteForceLinearizable(history: readonly Operation[]): boolean {
  const ops = history.filter((o) => o.completion.type === 'ok' || (o.completion.type === 'info' && o.input.kind !== 'read'));
  const ret = (o: Operation): bigint | null => (o.completion.type === 'ok' ? o.completion.at : null);
  const used = new Array<boolean>(ops.length).fill(false);
  const search = (state: KvValue, remainingOk: number): boolean => {
    if (remainingOk === 0) return true;
    for (let i = 0; i < ops.length; i++) {
      if (used[i]) continue;
      const o = ops[i] as Operation;
      // o can come next only if no unused completed operation returned before o was invoked.
      const blocked = ops.some((p, j) => !used[j] && j !== i && ret(p) !== null && (ret(p) as bigint) < o.invokedAt);
      if (blocked) continue;
      const next = apply(o, state);
      if (next === undefined) continue;
      used[i] = true;
      const ok = search(next, remainingOk - (o.completion.type === 'ok' ? 1 : 0));
      used[i] = false;
      if (ok) return true;
    }
    return false;
  };
  return search(null, ops.filter((o) => o.completion.type === 'ok').length);
}
