// Request failures of the API server: each carries the gRPC status code the client sees and a
// message a person can act on (Kubernetes' wording where Kubernetes has one). Validation failures
// also carry every field error, sent as trailing metadata "shoal-causes".
import type { FieldError } from '../../api/kind.js';

/** gRPC status codes used by the API (numbers from grpc's status.proto). */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

export const CODE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(Code).map(([k, v]) => [v, k]));

/** One cause as sent in "shoal-causes": [{field, type, message}]. */
export interface Cause {
  readonly field: string;
  readonly type: string;
  readonly message: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: Code,
    message: string,
    readonly causes: readonly Cause[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `pods "web"`, or `pods` when there is no name: the subject of Kubernetes' messages. */
export function subject(resource: string, name: string | undefined): string {
  return name === undefined || name === '' ? resource : `${resource} "${name}"`;
}

export const notFound = (resource: string, name: string): ApiError => new ApiError(Code.NOT_FOUND, `${subject(resource, name)} not found`);

export const alreadyExists = (resource: string, name: string): ApiError => new ApiError(Code.ALREADY_EXISTS, `${subject(resource, name)} already exists`);

export const conflict = (resource: string, name: string, why: string): ApiError => new ApiError(Code.ABORTED, `Operation cannot be fulfilled on ${subject(resource, name)}: ${why}`);

export const MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

export const badRequest = (message: string): ApiError => new ApiError(Code.INVALID_ARGUMENT, message);

export const unknownResource = (resource: string): ApiError => new ApiError(Code.NOT_FOUND, `the server doesn't have a resource type "${resource}"`);

/** `Pod "web" is invalid: spec.containers[0].image: Required value, ...` with every error. */
export function invalid(kind: string, name: string | undefined, errors: readonly FieldError[]): ApiError {
  const list = errors.map((e) => (e.field === '' ? e.detail : `${e.field}: ${e.detail}`));
  const what = name === undefined || name === '' ? kind : `${kind} "${name}"`;
  const msg = list.length === 1 ? `${what} is invalid: ${list[0]}` : `${what} is invalid: [${list.join(', ')}]`;
  return new ApiError(
    Code.INVALID_ARGUMENT,
    msg,
    errors.map((e) => ({ field: e.field, type: e.type, message: e.detail })),
  );
}

export const tooOld = (message: string): ApiError => new ApiError(Code.OUT_OF_RANGE, message);
