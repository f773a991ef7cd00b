// Errors of the MVCC state machine. Each is an expected outcome, returned as a value (see
// Result), never thrown: it carries etcd's exact message (clients match on it, e.g. the Go
// client's rpctypes) and the gRPC status code etcd answers with, plus typed fields for logs.
// Broken invariants throw MvccBug; a damaged snapshot throws SnapshotCorruptError.

/** gRPC status codes used here (the numbers are the wire values). */
export const GrpcCode = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  OUT_OF_RANGE: 11,
  DATA_LOSS: 15,
} as const;
export type GrpcCode = (typeof GrpcCode)[keyof typeof GrpcCode];

export const EtcdErrorCode = {
  EmptyKey: 'empty-key',
  KeyNotFound: 'key-not-found',
  ValueProvided: 'value-provided',
  LeaseProvided: 'lease-provided',
  TooManyOps: 'too-many-ops',
  DuplicateKey: 'duplicate-key',
  Compacted: 'compacted',
  FutureRevision: 'future-revision',
  LeaseNotFound: 'lease-not-found',
  LeaseExists: 'lease-exists',
  LeaseTtlTooLarge: 'lease-ttl-too-large',
  RequestTooLarge: 'request-too-large',
} as const;
export type EtcdErrorCode = (typeof EtcdErrorCode)[keyof typeof EtcdErrorCode];

export abstract class EtcdError extends Error {
  abstract readonly code: EtcdErrorCode;
  abstract readonly grpcCode: GrpcCode;
}

export class EmptyKeyError extends EtcdError {
  readonly code = EtcdErrorCode.EmptyKey;
  readonly grpcCode = GrpcCode.INVALID_ARGUMENT;
  override readonly name = 'EmptyKeyError';
  constructor() {
    super('etcdserver: key is not provided');
  }
}

/** ignore_value / ignore_lease on a key that does not exist. */
export class KeyNotFoundError extends EtcdError {
  readonly code = EtcdErrorCode.KeyNotFound;
  readonly grpcCode = GrpcCode.INVALID_ARGUMENT;
  override readonly name = 'KeyNotFoundError';
  constructor(readonly key: Uint8Array) {
    super('etcdserver: key not found');
  }
}

export class ValueProvidedError extends EtcdError {
  readonly code = EtcdErrorCode.ValueProvided;
  readonly grpcCode = GrpcCode.INVALID_ARGUMENT;
  override readonly name = 'ValueProvidedError';
  constructor() {
    super('etcdserver: value is provided');
  }
}

export class LeaseProvidedError extends EtcdError {
  readonly code = EtcdErrorCode.LeaseProvided;
  readonly grpcCode = GrpcCode.INVALID_ARGUMENT;
  override readonly name = 'LeaseProvidedError';
  constructor() {
    super('etcdserver: lease is provided');
  }
}

export class TooManyOpsError extends EtcdError {
  readonly code = EtcdErrorCode.TooManyOps;
  readonly grpcCode = GrpcCode.INVALID_ARGUMENT;
  override readonly name = 'TooManyOpsError';
  constructor(
    readonly ops: number,
    readonly max: number,
  ) {
    super('etcdserver: too many operations in txn request');
  }
}

export class DuplicateKeyError extends EtcdError {
  readonly code = EtcdErrorCode.DuplicateKey;
  readonly grpcCode = GrpcCode.INVALID_ARGUMENT;
  override readonly name = 'DuplicateKeyError';
  constructor(readonly key: Uint8Array) {
    super('etcdserver: duplicate key given in txn request');
  }
}

export class CompactedError extends EtcdError {
  readonly code = EtcdErrorCode.Compacted;
  readonly grpcCode = GrpcCode.OUT_OF_RANGE;
  override readonly name = 'CompactedError';
  constructor(
    readonly revision: number,
    readonly compactRevision: number,
  ) {
    super('etcdserver: mvcc: required revision has been compacted');
  }
}

export class FutureRevisionError extends EtcdError {
  readonly code = EtcdErrorCode.FutureRevision;
  readonly grpcCode = GrpcCode.OUT_OF_RANGE;
  override readonly name = 'FutureRevisionError';
  constructor(
    readonly revision: number,
    readonly currentRevision: number,
  ) {
    super('etcdserver: mvcc: required revision is a future revision');
  }
}

export class LeaseNotFoundError extends EtcdError {
  readonly code = EtcdErrorCode.LeaseNotFound;
  readonly grpcCode = GrpcCode.NOT_FOUND;
  override readonly name = 'LeaseNotFoundError';
  constructor(readonly leaseId: number) {
    super('etcdserver: requested lease not found');
  }
}

export class LeaseExistsError extends EtcdError {
  readonly code = EtcdErrorCode.LeaseExists;
  readonly grpcCode = GrpcCode.FAILED_PRECONDITION;
  override readonly name = 'LeaseExistsError';
  constructor(readonly leaseId: number) {
    super('etcdserver: lease already exists');
  }
}

export class LeaseTtlTooLargeError extends EtcdError {
  readonly code = EtcdErrorCode.LeaseTtlTooLarge;
  readonly grpcCode = GrpcCode.OUT_OF_RANGE;
  override readonly name = 'LeaseTtlTooLargeError';
  constructor(
    readonly ttl: number,
    readonly max: number,
  ) {
    super('etcdserver: too large lease TTL');
  }
}

export class RequestTooLargeError extends EtcdError {
  readonly code = EtcdErrorCode.RequestTooLarge;
  readonly grpcCode = GrpcCode.INVALID_ARGUMENT;
  override readonly name = 'RequestTooLargeError';
  constructor(
    readonly size: number,
    readonly max: number,
  ) {
    super('etcdserver: request is too large');
  }
}

/** An expected outcome: a value, or the etcd error that refused the request (nothing written). */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: EtcdError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: EtcdError): Result<T> {
  return { ok: false, error };
}

/** A snapshot that cannot be decoded. restore() throws it and keeps the old state. */
export class SnapshotCorruptError extends Error {
  readonly grpcCode = GrpcCode.DATA_LOSS;
  override readonly name = 'SnapshotCorruptError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(`mvcc snapshot: ${message}`, options);
  }
}

/** A broken invariant of the state machine: a bug, never an expected outcome. */
export class MvccBug extends Error {
  override readonly name = 'MvccBug';
}

export function assertNever(x: never): never {
  throw new MvccBug(`unexpected value ${JSON.stringify(x)}`);
}
