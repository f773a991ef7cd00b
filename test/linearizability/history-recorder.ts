// Records operations as clients invoke and complete them. Completing an operation twice, or
// with an output of another kind than its input, is a bug in the caller and throws.
import type { Completion, KvInput, KvOutput, Operation } from './history.js';

export type MonotonicClock = () => bigint;

export const hrtimeClock: MonotonicClock = () => process.hrtime.bigint();

interface Slot {
  readonly id: number;
  readonly client: number;
  readonly key: string;
  readonly input: KvInput;
  readonly invokedAt: bigint;
  completion: Completion | null;
}

export class PendingOperation {
  readonly #slot: Slot;
  readonly #now: MonotonicClock;

  constructor(slot: Slot, now: MonotonicClock) {
    this.#slot = slot;
    this.#now = now;
  }

  get id(): number {
    return this.#slot.id;
  }

  /** It happened, with this result. */
  ok(output: KvOutput): void {
    if (output.kind !== this.#slot.input.kind) {
      throw new Error(`operation ${this.#slot.id}: ${this.#slot.input.kind} completed with a ${output.kind} output`);
    }
    this.#complete({ type: 'ok', at: this.#now(), output });
  }

  /** It certainly did not happen. */
  fail(error: string): void {
    this.#complete({ type: 'fail', at: this.#now(), error });
  }

  /** It may or may not have happened (timeout, connection lost after sending, ...). */
  info(error: string): void {
    this.#complete({ type: 'info', at: this.#now(), error });
  }

  #complete(c: Completion): void {
    if (this.#slot.completion !== null) throw new Error(`operation ${this.#slot.id} completed twice`);
    this.#slot.completion = c;
  }
}

export class HistoryRecorder {
  readonly #now: MonotonicClock;
  readonly #slots: Slot[] = [];

  constructor(now: MonotonicClock = hrtimeClock) {
    this.#now = now;
  }

  invoke(client: number, key: string, input: KvInput): PendingOperation {
    const slot: Slot = { id: this.#slots.length, client, key, input, invokedAt: this.#now(), completion: null };
    this.#slots.push(slot);
    return new PendingOperation(slot, this.#now);
  }

  get size(): number {
    return this.#slots.length;
  }

  /** The history so far; operations still outstanding appear as `info` with `at: null`. */
  operations(): Operation[] {
    return this.#slots.map((s) => ({
      id: s.id,
      client: s.client,
      key: s.key,
      input: s.input,
      invokedAt: s.invokedAt,
      completion: s.completion ?? { type: 'info', at: null, error: 'outstanding when the history was read' },
    }));
  }
}
