// Test helper: histories produced by a register that really is linearizable. Every operation
// takes effect at one instant inside its interval (or, if indeterminate, at any instant after its
// invocation, possibly long after the client gave up, or never), and its result is what the
// register held at that instant.
import type { KvInput, KvOutput, KvValue, Operation } from './history.js';

export type { Rng } from '../support/random.js';
export { seededRng } from '../support/random.js';
import type { Rng } from '../support/random.js';

export interface SimulationOptions {
  readonly clients: number;
  readonly keys: number;
  readonly opsPerClient: number;
  /** Fraction of operations that end indeterminate. */
  readonly indeterminateRate: number;
  readonly rng: Rng;
}

interface Planned {
  readonly id: number;
  readonly client: number;
  readonly key: string;
  readonly kind: KvInput['kind'];
  readonly value: string;
  readonly call: number;
  readonly ret: number;
  readonly indeterminate: boolean;
  /** When it takes effect; null: never. */
  readonly effect: number | null;
  input: KvInput | null;
  output: KvOutput | null;
}

export function simulateLinearizableHistory(o: SimulationOptions): Operation[] {
  const { rng } = o;
  const planned: Planned[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  const kinds = ['read', 'read', 'read', 'write', 'write', 'cas', 'cas', 'delete'] as const;
  for (let c = 0; c < o.clients; c++) {
    let t = Math.floor(rng() * 50);
    for (let i = 0; i < o.opsPerClient; i++) {
      const call = t + 1 + Math.floor(rng() * 40);
      const dur = 1 + Math.floor(rng() < 0.05 ? rng() * 2000 : rng() * 200);
      const ret = call + dur;
      const indeterminate = rng() < o.indeterminateRate;
      const effect = indeterminate ? (rng() < 0.5 ? null : call + Math.floor(rng() * dur * 3)) : call + Math.floor(rng() * (dur + 1));
      planned.push({
        id: planned.length,
        client: c,
        key: `k${Math.floor(rng() * o.keys)}`,
        kind: pick(kinds),
        value: `c${c}-${i}`,
        call,
        ret,
        indeterminate,
        effect,
        input: null,
        output: null,
      });
      t = ret;
    }
  }

  // Calls before effects at equal times: a call only reads the client's memory, which is updated
  // by its own earlier effects (effect <= return < next call).
  type Ev = { t: number; order: number; p: Planned };
  const events: Ev[] = [];
  for (const p of planned) {
    events.push({ t: p.call, order: 0, p });
    if (p.effect !== null) events.push({ t: p.effect, order: 1, p });
  }
  events.sort((a, b) => a.t - b.t || a.order - b.order || a.p.id - b.p.id);
  const register = new Map<string, KvValue>();
  const memory = new Map<string, KvValue>();
  for (const { order, p } of events) {
    const mem = `${p.client}/${p.key}`;
    if (order === 0) {
      p.input =
        p.kind === 'read' || p.kind === 'delete'
          ? { kind: p.kind }
          : p.kind === 'write'
            ? { kind: 'write', value: p.value }
            : { kind: 'cas', expected: memory.get(mem) ?? null, value: p.value };
      continue;
    }
    const input = p.input as KvInput;
    const cur = register.get(p.key) ?? null;
    let out: KvOutput;
    let seen: KvValue = cur;
    switch (input.kind) {
      case 'read':
        out = { kind: 'read', value: cur };
        break;
      case 'write':
        register.set(p.key, input.value);
        out = { kind: 'write' };
        seen = input.value;
        break;
      case 'cas': {
        const succeeded = cur === input.expected;
        if (succeeded) register.set(p.key, (seen = input.value));
        out = { kind: 'cas', succeeded };
        break;
      }
      case 'delete':
        register.set(p.key, null);
        out = { kind: 'delete', deleted: cur !== null };
        seen = null;
        break;
    }
    p.output = out;
    if (!p.indeterminate) memory.set(mem, seen);
  }

  return planned
    .slice()
    .sort((a, b) => a.call - b.call || a.id - b.id)
    .map((p, id) => ({
      id,
      client: p.client,
      key: p.key,
      input: p.input as KvInput,
      invokedAt: BigInt(p.call),
      completion: p.indeterminate
        ? { type: 'info' as const, at: BigInt(p.ret), error: 'timed out' }
        : { type: 'ok' as const, at: BigInt(p.ret), output: p.output as KvOutput },
    }));
}
