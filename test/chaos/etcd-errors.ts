// Whether a failed request to an etcd v3 endpoint may still have taken effect.
//
// Rule: an error means "certainly not applied" only when the request provably never reached a
// state machine: it was never sent (gRPC had no connection), or the server refused it before
// proposing it to Raft. Everything else - deadlines, connection resets after sending, "request
// timed out", "leader changed", unknown messages - is indeterminate: the proposal may be in the
// log and be applied after the client gave up.

export type ErrorCertainty = 'not-applied' | 'indeterminate';

export interface ClassifiedError {
  readonly certainty: ErrorCertainty;
  /** One line, for the history and logs. */
  readonly message: string;
}

/**
 * Refusals before anything is sent or proposed. Matched on message text because that is what
 * crosses the wire (gRPC code + etcd's fixed messages), also from a non-etcd server speaking the
 * etcd API.
 */
const NOT_APPLIED: readonly RegExp[] = [
  // grpc-js: the channel had no transport, so the request never left this process.
  /No connection established/,
  // etcd checks these before proposing (etcdserver/v3_server.go, api/v3rpc validation).
  /etcdserver: too many requests/,
  /etcdserver: request is too large/,
  /etcdserver: key is not provided/,
  /etcdserver: not capable/,
  /etcdserver: mvcc: database space exceeded/,
  // raft's Propose refused it synchronously (no leader known locally): never entered the log.
  /raft proposal dropped/,
];

export function errorMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s+/g, ' ').trim();
}

export function classifyWriteError(e: unknown): ClassifiedError {
  const message = errorMessage(e);
  return { certainty: NOT_APPLIED.some((re) => re.test(message)) ? 'not-applied' : 'indeterminate', message };
}
