// Errors of the Raft node driver. A proposal or read that does not succeed is an expected
// outcome for the caller (retry, or tell the client): each carries a stable code saying why.

export const NodeErrorCode = {
  /** The core refused the proposal or read (no leader known, transfer in progress, ...). */
  Dropped: 'dropped',
  /** No answer within the deadline; a proposal may still be committed later. */
  Timeout: 'timeout',
  /** The entry was overwritten by a new leader's log: it will never be applied. */
  Lost: 'lost',
  /** The entry was covered by an installed snapshot: it may or may not have been applied. */
  Unknown: 'unknown',
  /** The node is stopping or has stopped. */
  Stopped: 'stopped',
  /** Persisting or applying failed; the node stopped to protect the log. */
  Failed: 'failed',
} as const;
export type NodeErrorCode = (typeof NodeErrorCode)[keyof typeof NodeErrorCode];

export class NodeError extends Error {
  constructor(
    readonly code: NodeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NodeError';
  }
}
