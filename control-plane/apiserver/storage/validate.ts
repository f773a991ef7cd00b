// Argument checks shared by every Storage implementation: bad input is refused with a TypeError
// that names what is wrong, before anything is sent or written.
import type { ListOptions } from './storage.js';

/** Rejects keys the store cannot hold, naming what is wrong. */
export function checkKey(key: string, what = 'key'): void {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError(`storage: ${what} must be a non-empty string`);
}

export function checkExpected(expectedModRevision: number): void {
  if (!Number.isSafeInteger(expectedModRevision) || expectedModRevision < 1) {
    throw new TypeError(`storage: expectedModRevision must be an integer >= 1, got ${expectedModRevision}`);
  }
}

export function checkListOptions(prefix: string, options: ListOptions): void {
  if (typeof prefix !== 'string') throw new TypeError('storage: prefix must be a string');
  const { limit = 0, revision = 0, startKey } = options;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new TypeError(`storage: limit must be an integer >= 0, got ${limit}`);
  if (!Number.isSafeInteger(revision) || revision < 0) throw new TypeError(`storage: revision must be an integer >= 0, got ${revision}`);
  if (startKey !== undefined && !startKey.startsWith(prefix)) throw new TypeError(`storage: startKey ${startKey} is not under prefix ${prefix}`);
}
