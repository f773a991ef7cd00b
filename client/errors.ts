// One error class for every failed API call: the gRPC code, a stable Shoal reason a caller can
// switch on, the server's message and (for Invalid) the field errors from "shoal-causes".
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';

export const ApiErrorReason = {
  NotFound: 'NotFound',
  AlreadyExists: 'AlreadyExists',
  /** Stale resourceVersion or uid precondition (ABORTED): get the latest and try again. */
  Conflict: 'Conflict',
  /** Validation failed (INVALID_ARGUMENT); `causes` lists every field error. */
  Invalid: 'Invalid',
  /** The resourceVersion asked for was compacted (OUT_OF_RANGE, "too old"): relist. */
  Gone: 'Gone',
  /** Namespace terminating, object being deleted, ... (FAILED_PRECONDITION). */
  FailedPrecondition: 'FailedPrecondition',
  /** Request too large, quota exceeded (RESOURCE_EXHAUSTED). */
  ResourceExhausted: 'ResourceExhausted',
  Unauthorized: 'Unauthorized',
  Forbidden: 'Forbidden',
  /** No API server could be reached, or the one reached could not reach the store. */
  Unavailable: 'Unavailable',
  /** The deadline passed before an answer (for reads; writes report OutcomeUnknown). */
  Timeout: 'Timeout',
  /**
   * A write was sent but no answer came back (connection lost, deadline): it may or may not
   * have been applied. Never retried blindly; read the object to find out.
   */
  OutcomeUnknown: 'OutcomeUnknown',
  /** The call was cancelled by the caller (close, abort). */
  Cancelled: 'Cancelled',
  /** A bad request from this client (unknown resource, malformed options). */
  BadRequest: 'BadRequest',
  /** The server answered with something this client cannot understand. */
  InvalidResponse: 'InvalidResponse',
  Internal: 'Internal',
  Unknown: 'Unknown',
} as const;
export type ApiErrorReason = (typeof ApiErrorReason)[keyof typeof ApiErrorReason];

/** One field error from "shoal-causes": `spec.containers[0].image: Required value`. */
export interface StatusCause {
  readonly field: string;
  readonly type: string;
  readonly message: string;
}

export interface ApiErrorOptions {
  readonly causes?: readonly StatusCause[];
  readonly cause?: unknown;
  /** The server that answered (or failed), host:port. */
  readonly server?: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly causes: readonly StatusCause[];
  readonly server: string | undefined;
  constructor(
    /** The gRPC status code (grpc.status). */
    readonly code: number,
    readonly reason: ApiErrorReason,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.causes = options.causes ?? [];
    this.server = options.server;
  }
}

const reasonByCode: Readonly<Record<number, ApiErrorReason>> = {
  [GrpcStatus.NOT_FOUND]: ApiErrorReason.NotFound,
  [GrpcStatus.ALREADY_EXISTS]: ApiErrorReason.AlreadyExists,
  [GrpcStatus.ABORTED]: ApiErrorReason.Conflict,
  [GrpcStatus.INVALID_ARGUMENT]: ApiErrorReason.Invalid,
  [GrpcStatus.OUT_OF_RANGE]: ApiErrorReason.Gone,
  [GrpcStatus.FAILED_PRECONDITION]: ApiErrorReason.FailedPrecondition,
  [GrpcStatus.RESOURCE_EXHAUSTED]: ApiErrorReason.ResourceExhausted,
  [GrpcStatus.UNAUTHENTICATED]: ApiErrorReason.Unauthorized,
  [GrpcStatus.PERMISSION_DENIED]: ApiErrorReason.Forbidden,
  [GrpcStatus.UNAVAILABLE]: ApiErrorReason.Unavailable,
  [GrpcStatus.DEADLINE_EXCEEDED]: ApiErrorReason.Timeout,
  [GrpcStatus.CANCELLED]: ApiErrorReason.Cancelled,
  [GrpcStatus.UNIMPLEMENTED]: ApiErrorReason.BadRequest,
  [GrpcStatus.INTERNAL]: ApiErrorReason.Internal,
  [GrpcStatus.UNKNOWN]: ApiErrorReason.Unknown,
};

export function reasonForCode(code: number): ApiErrorReason {
  return reasonByCode[code] ?? ApiErrorReason.Unknown;
}

function isServiceError(e: unknown): e is ServiceError {
  return e instanceof Error && typeof (e as Partial<ServiceError>).code === 'number' && 'metadata' in e;
}

/** Field errors from the "shoal-causes" trailing metadata (JSON [{field, type, message}]); [] if absent or malformed. */
export function parseCauses(metadata: Metadata | undefined): StatusCause[] {
  const raw = metadata?.get('shoal-causes')[0];
  if (raw === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((c: unknown) => {
      if (typeof c !== 'object' || c === null) return [];
      const o = c as Record<string, unknown>;
      const str = (v: unknown): string => (typeof v === 'string' ? v : '');
      return [{ field: str(o['field']), type: str(o['type']), message: str(o['message'] ?? o['detail']) }];
    });
  } catch {
    return [];
  }
}

/** An ApiError from whatever a gRPC call failed with. */
export function toApiError(e: unknown, server?: string): ApiError {
  if (e instanceof ApiError) return e;
  if (isServiceError(e)) {
    const options = { causes: parseCauses(e.metadata), cause: e, ...(server === undefined ? {} : { server }) };
    return new ApiError(e.code, reasonForCode(e.code), e.details || e.message, options);
  }
  const message = e instanceof Error ? e.message : String(e);
  return new ApiError(GrpcStatus.UNKNOWN, ApiErrorReason.Unknown, message, { cause: e, ...(server === undefined ? {} : { server }) });
}

/**
 * True when grpc-js failed the call before sending it: no connection to the server could be
 * made (refused, unreachable). Such a write provably did not reach the server.
 */
export function neverSent(e: unknown): boolean {
  if (e instanceof ApiError) return e.cause !== undefined && neverSent(e.cause);
  if (!isServiceError(e) || e.code !== GrpcStatus.UNAVAILABLE) return false;
  return /No connection established|ECONNREFUSED|connect EHOSTUNREACH|ENETUNREACH|Name resolution failed/.test(e.details ?? e.message);
}

function hasReason(reason: ApiErrorReason): (e: unknown) => boolean {
  return (e) => e instanceof ApiError && e.reason === reason;
}
export const isNotFound = hasReason(ApiErrorReason.NotFound);
export const isAlreadyExists = hasReason(ApiErrorReason.AlreadyExists);
export const isConflict = hasReason(ApiErrorReason.Conflict);
export const isInvalid = hasReason(ApiErrorReason.Invalid);
export const isGone = hasReason(ApiErrorReason.Gone);
export const isForbidden = hasReason(ApiErrorReason.Forbidden);
export const isUnauthorized = hasReason(ApiErrorReason.Unauthorized);
export const isUnavailable = hasReason(ApiErrorReason.Unavailable);
export const isTimeout = hasReason(ApiErrorReason.Timeout);
export const isOutcomeUnknown = hasReason(ApiErrorReason.OutcomeUnknown);
export const isCancelled = hasReason(ApiErrorReason.Cancelled);
