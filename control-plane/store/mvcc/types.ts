// Requests, responses and events of the MVCC state machine. Names and numeric enum values follow
// etcd's v3 API (proto/etcd/): a KeyValue or Event from here can be handed to the generated
// mvccpb encoders as it is; requests are the generated ones with every field optional except
// the key, and with tagged unions instead of oneofs.
//
// Every number is a safe integer (< 2^53): revisions count up from 1, lease IDs are generated
// below 2^53.

/**
 * One revision of a key. Objects handed out by the store are shared with its history:
 * never mutate them (the fields are readonly for that reason).
 */
export interface KeyValue {
  readonly key: Uint8Array;
  /** Revision of the put that created the key; 0 only in a DELETE event's kv. */
  readonly createRevision: number;
  /** Revision of this change. */
  readonly modRevision: number;
  /** Puts since creation, from 1; 0 only in a DELETE event's kv. */
  readonly version: number;
  readonly value: Uint8Array;
  /** Attached lease; 0 = none. */
  readonly lease: number;
}

export const EventType = { PUT: 0, DELETE: 1 } as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export interface Event {
  readonly type: EventType;
  /** PUT: the new key-value. DELETE: key and modRevision (the delete's revision) only. */
  readonly kv: KeyValue;
  /** The key's value at the revision before this one, as etcd's watch gives it; undefined if
   * the key did not exist then or that revision is compacted. Watch layers drop it for watchers
   * that did not ask for prev_kv. (Write responses' prev_kv instead see earlier ops of the same
   * txn, as in etcd.) */
  readonly prevKv: KeyValue | undefined;
}

export const SortOrder = { NONE: 0, ASCEND: 1, DESCEND: 2 } as const;
export type SortOrder = (typeof SortOrder)[keyof typeof SortOrder];

export const SortTarget = { KEY: 0, VERSION: 1, CREATE: 2, MOD: 3, VALUE: 4 } as const;
export type SortTarget = (typeof SortTarget)[keyof typeof SortTarget];

export const CompareResult = { EQUAL: 0, GREATER: 1, LESS: 2, NOT_EQUAL: 3 } as const;
export type CompareResult = (typeof CompareResult)[keyof typeof CompareResult];

export const CompareTarget = { VERSION: 0, CREATE: 1, MOD: 2, VALUE: 3, LEASE: 4 } as const;
export type CompareTarget = (typeof CompareTarget)[keyof typeof CompareTarget];

/** Range conventions (also DeleteRange, Compare, watches): rangeEnd empty = only key;
 * rangeEnd "\0" = every key >= key; prefixEnd(p) = every key starting with p. */
export interface RangeRequest {
  readonly key: Uint8Array;
  readonly rangeEnd?: Uint8Array;
  /** Most keys to return; 0 = no limit. */
  readonly limit?: number;
  /** Revision to read at; <= 0 = the current one. */
  readonly revision?: number;
  readonly sortOrder?: SortOrder;
  readonly sortTarget?: SortTarget;
  readonly keysOnly?: boolean;
  readonly countOnly?: boolean;
  /** Revision filters; 0 = no bound. They do not change `count` (as in etcd). */
  readonly minModRevision?: number;
  readonly maxModRevision?: number;
  readonly minCreateRevision?: number;
  readonly maxCreateRevision?: number;
}

export interface RangeResponse {
  /** Revision the range was read at the head of (etcd's header.revision: the store's current
   * revision, not the requested one). */
  readonly revision: number;
  readonly kvs: KeyValue[];
  /** More keys matched than `limit` let through. */
  readonly more: boolean;
  /** Keys in the range at the requested revision, before limit and revision filters. */
  readonly count: number;
}

export interface PutRequest {
  readonly key: Uint8Array;
  readonly value?: Uint8Array;
  /** Lease to attach the key to; 0 = none (detaches it from a lease it had). */
  readonly lease?: number;
  readonly prevKv?: boolean;
  /** Keep the current value (the key must exist; value must be empty). */
  readonly ignoreValue?: boolean;
  /** Keep the current lease (the key must exist; lease must be 0). */
  readonly ignoreLease?: boolean;
}

export interface PutResponse {
  readonly revision: number;
  readonly prevKv: KeyValue | undefined;
}

export interface DeleteRangeRequest {
  readonly key: Uint8Array;
  readonly rangeEnd?: Uint8Array;
  readonly prevKv?: boolean;
}

export interface DeleteRangeResponse {
  readonly revision: number;
  readonly deleted: number;
  /** The deleted key-values, when prevKv was asked for. */
  readonly prevKvs: KeyValue[];
}

/** One predicate of a txn guard. The operand is the field named by target (missing = 0 / empty). */
export interface Compare {
  readonly key: Uint8Array;
  /** Compare every key of [key, rangeEnd); all must satisfy it. */
  readonly rangeEnd?: Uint8Array;
  readonly target: CompareTarget;
  readonly result: CompareResult;
  readonly version?: number;
  readonly createRevision?: number;
  readonly modRevision?: number;
  readonly value?: Uint8Array;
  readonly lease?: number;
}

export type RequestOp =
  | { readonly type: 'range'; readonly range: RangeRequest }
  | { readonly type: 'put'; readonly put: PutRequest }
  | { readonly type: 'deleteRange'; readonly deleteRange: DeleteRangeRequest }
  | { readonly type: 'txn'; readonly txn: TxnRequest };

export type ResponseOp =
  | { readonly type: 'range'; readonly range: RangeResponse }
  | { readonly type: 'put'; readonly put: PutResponse }
  | { readonly type: 'deleteRange'; readonly deleteRange: DeleteRangeResponse }
  | { readonly type: 'txn'; readonly txn: TxnResponse };

export interface TxnRequest {
  readonly compare?: readonly Compare[];
  readonly success?: readonly RequestOp[];
  readonly failure?: readonly RequestOp[];
}

export interface TxnResponse {
  /** The store revision after the txn (unchanged if it wrote nothing). */
  readonly revision: number;
  readonly succeeded: boolean;
  readonly responses: ResponseOp[];
}

export interface CompactResponse {
  readonly revision: number;
  readonly compactRevision: number;
}

export interface LeaseGrantResponse {
  readonly id: number;
  readonly ttl: number;
}

export interface LeaseRevokeResponse {
  readonly revision: number;
  /** Keys deleted with the lease, in byte order. */
  readonly deleted: number;
}

export interface LeaseCheckpoint {
  readonly id: number;
  /** Seconds left, as measured by the leader that proposed the checkpoint. */
  readonly remainingTtl: number;
}

export interface LeaseInfo {
  readonly id: number;
  /** Granted TTL in seconds. */
  readonly ttl: number;
  /** Last checkpointed remaining TTL in seconds; 0 = never checkpointed. */
  readonly remainingTtl: number;
}

/** What a write did: its response, the store revision after it and the events it produced,
 * in order (all with the same revision; empty if nothing changed). */
export interface WriteResult<R> {
  readonly response: R;
  readonly revision: number;
  readonly events: readonly Event[];
}

/** Events from history for a watcher that starts in the past. */
export type HistoryResult =
  | {
      readonly type: 'compacted';
      /** Lowest start revision still available; etcd's WatchResponse.compact_revision. */
      readonly compactRevision: number;
    }
  | {
      readonly type: 'events';
      /** Events with revision >= start, in revision order; whole revisions only. */
      readonly events: readonly Event[];
      /** Where to continue: one past the last revision scanned. */
      readonly nextRevision: number;
      /** The store's current revision. */
      readonly revision: number;
    };

export interface HashResult {
  /** CRC-32C of every key revision kept with revision <= `revision`. */
  readonly hash: number;
  readonly revision: number;
  /** -1 if never compacted (as etcd's HashKV answers). */
  readonly compactRevision: number;
}

/** A replicated write, as a Raft log entry carries it to MvccStore.apply. */
export type Command =
  | { readonly type: 'put'; readonly put: PutRequest }
  | { readonly type: 'deleteRange'; readonly deleteRange: DeleteRangeRequest }
  | { readonly type: 'txn'; readonly txn: TxnRequest }
  | { readonly type: 'compact'; readonly revision: number }
  | { readonly type: 'leaseGrant'; readonly id: number; readonly ttl: number }
  | { readonly type: 'leaseRevoke'; readonly id: number }
  | { readonly type: 'leaseCheckpoint'; readonly checkpoints: readonly LeaseCheckpoint[] };

export type CommandResponse =
  | { readonly type: 'put'; readonly put: PutResponse }
  | { readonly type: 'deleteRange'; readonly deleteRange: DeleteRangeResponse }
  | { readonly type: 'txn'; readonly txn: TxnResponse }
  | { readonly type: 'compact'; readonly compact: CompactResponse }
  | { readonly type: 'leaseGrant'; readonly leaseGrant: LeaseGrantResponse }
  | { readonly type: 'leaseRevoke'; readonly leaseRevoke: LeaseRevokeResponse }
  | { readonly type: 'leaseCheckpoint' };
