// Errors of the Raft library. Expected outcomes (a proposal on a follower with forwarding off,
// a compacted index) are typed errors with a stable code; broken invariants throw RaftBug.

export class RaftError extends Error {
  constructor(
    readonly code: RaftErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RaftError';
  }
}

export const RaftErrorCode = {
  /** The requested index is older than the last snapshot. */
  Compacted: 'compacted',
  /** The requested index is not in the log yet. */
  Unavailable: 'unavailable',
  /** The snapshot is older than the storage's current one. */
  SnapshotOutOfDate: 'snapshot-out-of-date',
  /** A proposal could not be accepted (no leader known, leadership transfer in progress, ...). */
  ProposalDropped: 'proposal-dropped',
  /** Storage on disk is damaged; the message says where. Nothing was deleted. */
  Corrupt: 'corrupt',
} as const;
export type RaftErrorCode = (typeof RaftErrorCode)[keyof typeof RaftErrorCode];

/** An invariant of the algorithm was broken: a bug, never an expected outcome. */
export class RaftBug extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RaftBug';
  }
}

export function assertNever(x: never): never {
  throw new RaftBug(`unexpected value ${String(x)}`);
}
