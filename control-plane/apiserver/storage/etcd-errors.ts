// What a failed etcd v3 call means for the storage layer. Matched on gRPC code plus etcd's fixed
// messages (what crosses the wire; the Shoal store sends the same texts).
//
// Rules:
// - Transient failures (the member is down or unreachable, has no leader, lost its leader, timed
//   out, is overloaded) are retried on another endpoint; everything else is final.
// - A transient failure is "not applied" only when the request provably never reached a state
//   machine (no connection, refused before proposing). Otherwise it is indeterminate: a write
//   may have been applied, and a retry must check for its own earlier success.
import * as grpc from '@grpc/grpc-js';
import { StorageError, StorageErrorCode } from './storage.js';

const TRANSIENT_MESSAGES = /etcdserver: (leader changed|no leader|request timed out|server stopped|too many requests|unhealthy cluster|rpc not supported for learner)/;

const NOT_APPLIED_MESSAGES = [
  /No connection established/,
  /ECONNREFUSED/,
  /etcdserver: no leader/,
  /etcdserver: too many requests/,
  /etcdserver: rpc not supported for learner/,
  /raft proposal dropped/,
];

const COMPACTED = /required revision has been compacted/;
const REJECTED = /database space exceeded|request is too large|future revision/;

export function isServiceError(e: unknown): e is grpc.ServiceError {
  return e instanceof Error && typeof (e as Partial<grpc.ServiceError>).code === 'number' && 'details' in e;
}

function detailsOf(e: unknown): string {
  if (isServiceError(e)) return e.details;
  return e instanceof Error ? e.message : String(e);
}

export function isTransient(e: unknown): boolean {
  if (e instanceof StorageError) return e.code === StorageErrorCode.Unavailable;
  if (!isServiceError(e)) return false;
  const details = e.details;
  if (COMPACTED.test(details) || REJECTED.test(details)) return false;
  return e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED || TRANSIENT_MESSAGES.test(details);
}

/** True when a transient failure may still have been applied by the store. */
export function mayHaveApplied(e: unknown): boolean {
  const details = detailsOf(e);
  return !NOT_APPLIED_MESSAGES.some((re) => re.test(details));
}

/** The StorageError a final (or finally given-up) etcd failure becomes. */
export function toStorageError(e: unknown, what: string): StorageError {
  if (e instanceof StorageError) return e;
  const details = detailsOf(e);
  if (COMPACTED.test(details)) return new StorageError(StorageErrorCode.Compacted, `${what}: ${details}`, 0, { cause: e });
  if (REJECTED.test(details)) return new StorageError(StorageErrorCode.Rejected, `${what}: ${details}`, 0, { cause: e });
  if (isTransient(e)) return new StorageError(StorageErrorCode.Unavailable, `${what}: ${details}`, 0, { cause: e });
  if (isServiceError(e) && (e.code === grpc.status.RESOURCE_EXHAUSTED || e.code === grpc.status.INVALID_ARGUMENT || e.code === grpc.status.OUT_OF_RANGE)) {
    return new StorageError(StorageErrorCode.Rejected, `${what}: ${details}`, 0, { cause: e });
  }
  return new StorageError(StorageErrorCode.Unavailable, `${what}: unexpected store error: ${details}`, 0, { cause: e });
}
