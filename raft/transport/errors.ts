// Errors of the transport. Delivery failures are not errors (messages are dropped and reported);
// only misuse and a listen address that cannot be bound are.

export const TransportErrorCode = {
  /** The listen address could not be bound (in use, not local, malformed). */
  ListenFailed: 'listen-failed',
  /** start() on a transport that was already started or closed. */
  BadState: 'bad-state',
} as const;
export type TransportErrorCode = (typeof TransportErrorCode)[keyof typeof TransportErrorCode];

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}
