// What a stream handler on the agent gets: its end of the stream (credit-aware send), a way to
// say "accepted", an input hook and a cancel signal. Handlers return how the stream closes;
// a thrown TunnelStreamError closes it with its code.
import type { Channel, CloseCode } from '../../api/tunnel/index.js';
import type { NodeStatsReply, StreamData, TerminalSize } from '../../proto/gen/shoal/api/v1/tunnel.js';

export class TunnelStreamError extends Error {
  override readonly name = 'TunnelStreamError';
  constructor(
    readonly code: CloseCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface StreamContext {
  /** Aborted when the API server cancels the stream or the tunnel breaks. */
  readonly signal: AbortSignal;
  /** Tells the server the request was accepted (exec: the command runs). */
  started(): void;
  /** Output to the server; waits for credit; false once the stream is gone. */
  send(channel: Channel, bytes: Uint8Array): Promise<boolean>;
  /** Where input (stdin, tar bytes) goes; inputs are delivered one at a time, in order. */
  onInput(handler: (d: StreamData) => Promise<void>): void;
  onResize(handler: (size: TerminalSize) => void): void;
}

/** How a handler ended its stream. */
export interface StreamResult {
  readonly exitCode?: number;
  readonly images?: readonly string[];
  readonly stats?: NodeStatsReply;
}

/** Copies a readable into the stream with credit; stops early when the stream goes away. */
export async function pump(readable: NodeJS.ReadableStream, channel: Channel, ctx: StreamContext): Promise<void> {
  const destroy = (): void => (readable as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  ctx.signal.addEventListener('abort', destroy, { once: true });
  try {
    for await (const chunk of readable as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (!(await ctx.send(channel, bytes))) break;
    }
  } catch (e) {
    if (!ctx.signal.aborted) throw e;
  } finally {
    ctx.signal.removeEventListener('abort', destroy);
  }
}

/** Writes one input chunk into a writable, resolving once it is flushed (that returns its credit). */
export function writeInput(w: NodeJS.WritableStream, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    w.write(data, (e?: Error | null) => (e ? reject(e) : resolve()));
  });
}
