// One end of a logical stream inside the node tunnel (proto/shoal/api/v1/tunnel.proto), the same
// on the API server and on the agent: byte credit per direction, data split into frames of at
// most MAX_DATA_FRAME_BYTES, one close. Rules:
// - a sender never has more than STREAM_WINDOW_BYTES unacknowledged: send() waits for credit;
// - a receiver returns credit only after it has handed the bytes on (consumed()), batched;
// - receiving more than the window is a protocol error (the peer ignores credit);
// - after close (sent or received) nothing more is sent and waiting senders return false.
import type { NodeStatsReply, StreamClose, StreamData, StreamWindow } from '../../proto/gen/shoal/api/v1/tunnel.js';

export const STREAM_WINDOW_BYTES = 256 * 1024;
export const MAX_DATA_FRAME_BYTES = 32 * 1024;
/** Credit is returned once this much was consumed (or when the window is used up). */
const GRANT_BATCH_BYTES = 32 * 1024;

/** Stream channels (StreamData.channel). */
export const Channel = { input: 0, stdout: 1, stderr: 2 } as const;
export type Channel = (typeof Channel)[keyof typeof Channel];

/** gRPC status codes used to close streams (0 = OK). */
export const CloseCode = {
  ok: 0,
  cancelled: 1,
  invalidArgument: 3,
  notFound: 5,
  permissionDenied: 7,
  failedPrecondition: 9,
  internal: 13,
  unavailable: 14,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** The fields AgentFrame and ServerFrame share: what a stream end writes. */
export interface MuxFrame {
  readonly streamId: number;
  readonly data?: StreamData;
  readonly window?: StreamWindow;
  readonly close?: StreamClose;
}

/** Writes a frame into the tunnel; resolves when the tunnel can take more (its drain). */
export type FrameSink = (frame: MuxFrame) => Promise<void>;

export class TunnelProtocolError extends Error {
  override readonly name = 'TunnelProtocolError';
  readonly code = 'TUNNEL_PROTOCOL';
}

export function closeFrame(code: CloseCode, message: string, extra: { exitCode?: number; images?: readonly string[]; stats?: NodeStatsReply } = {}): StreamClose {
  return { code, message, exitCode: extra.exitCode ?? 0, images: [...(extra.images ?? [])], stats: extra.stats };
}

export class StreamEnd {
  private credit = STREAM_WINDOW_BYTES;
  private unacked = 0;
  private consumedNotGranted = 0;
  private waiters: (() => void)[] = [];
  private closedFlag = false;

  constructor(
    readonly id: number,
    private readonly sink: FrameSink,
  ) {}

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Sends bytes on a channel, waiting for credit; false when the stream closed first. */
  async send(channel: Channel, bytes: Uint8Array): Promise<boolean> {
    let off = 0;
    while (off < bytes.length) {
      while (this.credit <= 0 && !this.closedFlag) await new Promise<void>((r) => this.waiters.push(r));
      if (this.closedFlag) return false;
      const n = Math.min(this.credit, MAX_DATA_FRAME_BYTES, bytes.length - off);
      this.credit -= n;
      await this.sink({ streamId: this.id, data: { channel, data: bytes.subarray(off, off + n), eof: false } });
      off += n;
    }
    return !this.closedFlag;
  }

  /** End of input on a channel (stdin closed, the whole tarball sent). */
  async sendEof(channel: Channel): Promise<void> {
    if (this.closedFlag) return;
    await this.sink({ streamId: this.id, data: { channel, data: new Uint8Array(0), eof: true } });
  }

  /** Sends the close frame (once) and ends the stream. */
  async close(close: StreamClose): Promise<void> {
    if (this.closedFlag) return;
    this.ended();
    await this.sink({ streamId: this.id, close });
  }

  /** The peer closed the stream (or the tunnel broke): no more sending. */
  ended(): void {
    this.closedFlag = true;
    this.wake();
  }

  /** The peer allows `bytes` more. */
  granted(bytes: number): void {
    this.credit += bytes;
    this.wake();
  }

  /** Accounts for inbound data before it is handed on; throws when the peer overran the window. */
  received(data: StreamData): void {
    this.unacked += data.data.length;
    if (this.unacked > STREAM_WINDOW_BYTES) throw new TunnelProtocolError(`stream ${this.id}: the peer sent ${this.unacked} bytes without credit (window ${STREAM_WINDOW_BYTES})`);
  }

  /** The received bytes were handed on: return credit (batched). */
  consumed(bytes: number): void {
    if (bytes <= 0 || this.closedFlag) return;
    this.unacked -= bytes;
    this.consumedNotGranted += bytes;
    if (this.consumedNotGranted < GRANT_BATCH_BYTES && this.unacked > 0) return;
    const grant = this.consumedNotGranted;
    this.consumedNotGranted = 0;
    void this.sink({ streamId: this.id, window: { bytes: grant } }).catch(() => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
