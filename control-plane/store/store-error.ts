// Errors of the store server that are not MVCC refusals: cluster state, leadership, quota,
// membership. Each carries etcd's exact message (etcdctl prints it; Go clients match on it,
// see etcd's rpctypes) and the gRPC status code etcd answers with. They are values handed back
// to the client, not bugs.
import { GrpcCode as MvccGrpcCode } from './mvcc/index.js';

/** gRPC status codes (wire values). */
export const GrpcCode = {
  ...MvccGrpcCode,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;
export type GrpcCode = (typeof GrpcCode)[keyof typeof GrpcCode];

/** Every store error, by stable code: [gRPC code, etcd's message]. */
export const STORE_ERRORS = {
  'no-leader': [GrpcCode.UNAVAILABLE, 'etcdserver: no leader'],
  'not-leader': [GrpcCode.FAILED_PRECONDITION, 'etcdserver: not leader'],
  'leader-changed': [GrpcCode.UNAVAILABLE, 'etcdserver: leader changed'],
  stopped: [GrpcCode.UNAVAILABLE, 'etcdserver: server stopped'],
  timeout: [GrpcCode.UNAVAILABLE, 'etcdserver: request timed out'],
  'timeout-leader-fail': [GrpcCode.UNAVAILABLE, 'etcdserver: request timed out, possibly due to previous leader failure'],
  'no-space': [GrpcCode.RESOURCE_EXHAUSTED, 'etcdserver: mvcc: database space exceeded'],
  'request-too-large': [GrpcCode.INVALID_ARGUMENT, 'etcdserver: request is too large'],
  'member-exists': [GrpcCode.FAILED_PRECONDITION, 'etcdserver: member ID already exist'],
  'peer-url-exists': [GrpcCode.FAILED_PRECONDITION, 'etcdserver: Peer URLs already exists'],
  'member-bad-urls': [GrpcCode.INVALID_ARGUMENT, 'etcdserver: given member URLs are invalid'],
  'member-not-found': [GrpcCode.NOT_FOUND, 'etcdserver: member not found'],
  'member-not-learner': [GrpcCode.FAILED_PRECONDITION, 'etcdserver: can only promote a learner member'],
  'learner-not-ready': [GrpcCode.FAILED_PRECONDITION, 'etcdserver: can only promote a learner member which is in sync with leader'],
  'not-enough-started': [GrpcCode.FAILED_PRECONDITION, 'etcdserver: re-configuration failed due to not enough started members'],
  'bad-leader-transferee': [GrpcCode.FAILED_PRECONDITION, 'etcdserver: bad leader transferee'],
  'not-supported-for-learner': [GrpcCode.UNAVAILABLE, 'etcdserver: rpc not supported for learner'],
  'lease-not-found': [GrpcCode.NOT_FOUND, 'etcdserver: requested lease not found'],
  'lease-id-out-of-range': [GrpcCode.INVALID_ARGUMENT, 'shoal: lease IDs must be below 2^52 in magnitude'],
  unhealthy: [GrpcCode.UNAVAILABLE, 'etcdserver: unhealthy cluster'],
} as const satisfies Record<string, readonly [GrpcCode, string]>;
export type StoreErrorCode = keyof typeof STORE_ERRORS;

export class StoreError extends Error {
  readonly grpcCode: GrpcCode;
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    options?: { cause?: unknown; detail?: string },
  ) {
    const [grpcCode, message] = STORE_ERRORS[code];
    super(message, options);
    this.grpcCode = grpcCode;
    this.detail = options?.detail;
  }
  /** Why, for logs (never sent to clients: they get etcd's message only). */
  readonly detail: string | undefined;
}
