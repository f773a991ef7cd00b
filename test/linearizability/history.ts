// A recorded history of operations on a key-value store, as clients saw it.
//
// Rules the checker relies on:
// - Times come from one monotonic clock (process.hrtime.bigint()) shared by every client.
// - An operation's effect, if any, happened at some instant between its invocation and its
//   completion. An operation with completion `info` may or may not have taken effect; if it did,
//   it happened after its invocation and at any time up to +∞ (its `at` is only when the client
//   gave up, never a bound on the effect).
// - `fail` is only for operations that certainly had no effect (refused before being proposed,
//   never sent). A timeout is never `fail`: the request may still be applied later.
// - Values written are unique across the history, so a read names the write it saw.

/** A value as stored: a string, or null for "the key is absent". */
export type KvValue = string | null;

export type KvInput =
  | { readonly kind: 'read' }
  | { readonly kind: 'write'; readonly value: string }
  /** Compare-and-swap: set `value` if the current value equals `expected` (null: key absent). */
  | { readonly kind: 'cas'; readonly expected: KvValue; readonly value: string }
  | { readonly kind: 'delete' };

export type KvOutput =
  | { readonly kind: 'read'; readonly value: KvValue }
  | { readonly kind: 'write' }
  | { readonly kind: 'cas'; readonly succeeded: boolean }
  /** `deleted` is whether a key existed (etcd's DeleteRange `deleted` count was 1). */
  | { readonly kind: 'delete'; readonly deleted: boolean };

export type OpKind = KvInput['kind'];

/** Jepsen's vocabulary: ok (happened, result known), fail (certainly did not happen), info (unknown). */
export type Completion =
  | { readonly type: 'ok'; readonly at: bigint; readonly output: KvOutput }
  | { readonly type: 'fail'; readonly at: bigint; readonly error: string }
  /** `at` is null when the operation was still outstanding when the history was closed. */
  | { readonly type: 'info'; readonly at: bigint | null; readonly error: string };

export interface Operation {
  /** Unique in the history; also the order of invocation. */
  readonly id: number;
  readonly client: number;
  readonly key: string;
  readonly input: KvInput;
  readonly invokedAt: bigint;
  readonly completion: Completion;
}
