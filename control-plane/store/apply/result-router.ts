// Routes apply results back to the call that proposed the entry. A member tags each proposal
// with (its member id, a request id unique to this process); when it applies an entry with its
// own tag that someone still waits for, it keeps the result here until RaftNode.propose
// resolves and the caller takes it. Results of other members' entries are never kept, so the
// map holds at most one result per call in flight.
import { randomInt } from 'node:crypto';
import type { RequestHeader } from '../../../proto/gen/store.js';

export class ResultRouter<R> {
  /** A random 20-bit prefix per process start: request ids never repeat across restarts. */
  private readonly prefix = randomInt(1, 2 ** 20) * 2 ** 32;
  private counter = 0;
  private readonly waiting = new Map<number, R | undefined>();

  constructor(readonly memberId: number) {}

  /** A fresh header whose result will be kept once applied. */
  expect(): RequestHeader {
    this.counter = (this.counter + 1) % 2 ** 32;
    const id = this.prefix + this.counter;
    this.waiting.set(id, undefined);
    return { memberId: this.memberId, id };
  }

  /** Called by the applier for every entry, in log order. */
  settle(header: RequestHeader | undefined, result: R): void {
    if (header === undefined || header.memberId !== this.memberId || !this.waiting.has(header.id)) return;
    this.waiting.set(header.id, result);
  }

  /** The result of an applied entry (undefined if it was not applied here); forgets the id. */
  take(header: RequestHeader): R | undefined {
    const r = this.waiting.get(header.id);
    this.waiting.delete(header.id);
    return r;
  }

  /** The caller gave up (timeout, lost): forget the id. */
  forget(header: RequestHeader): void {
    this.waiting.delete(header.id);
  }

  get size(): number {
    return this.waiting.size;
  }
}
