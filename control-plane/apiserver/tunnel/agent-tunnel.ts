// One connected agent's tunnel as the API server sees it: opens logical streams into it (odd ids),
// routes the agent's frames to them, and fails them all when the tunnel breaks.
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { Channel, CloseCode, FrameWriter, StreamEnd, TunnelProtocolError, closeFrame } from '../../../api/tunnel/index.js';
import type { AgentFrame, ServerFrame, StreamClose, StreamData, StreamOpen, TerminalSize } from '../../../proto/gen/shoal/api/v1/tunnel.js';

export interface StreamHandlers {
  /** The agent accepted the stream. */
  started?(): void;
  /** Data from the agent; its credit goes back when the returned promise settles. */
  data(d: StreamData): Promise<void> | void;
  /** The stream ended: the agent's result or error, or the tunnel broke (UNAVAILABLE). */
  close(c: StreamClose): void;
}

/** The API server's end of one logical stream. */
export class TunnelStream {
  constructor(
    private readonly end: StreamEnd,
    private readonly tunnel: AgentTunnel,
  ) {}

  get closed(): boolean {
    return this.end.closed;
  }

  /** Input for the agent (stdin, tar bytes); resolves when there was credit; false once closed. */
  send(bytes: Uint8Array): Promise<boolean> {
    return this.end.send(Channel.input, bytes);
  }

  sendEof(): Promise<void> {
    return this.end.sendEof(Channel.input);
  }

  resize(size: TerminalSize): void {
    if (!this.end.closed) void this.tunnel.write({ streamId: this.end.id, resize: size });
  }

  /** The client went away: tell the agent to stop. */
  cancel(message: string): void {
    this.tunnel.forget(this.end.id);
    void this.end.close(closeFrame(CloseCode.cancelled, message));
  }
}

export class AgentTunnel {
  private nextId = 1;
  private readonly streams = new Map<number, { end: StreamEnd; handlers: StreamHandlers }>();
  private readonly writer: FrameWriter<ServerFrame>;
  private brokenReason: string | undefined;

  constructor(
    readonly nodeName: string,
    private readonly call: ServerDuplexStream<AgentFrame, ServerFrame>,
    private readonly log: Logger,
  ) {
    this.writer = new FrameWriter(call);
  }

  get openStreams(): number {
    return this.streams.size;
  }

  write(frame: ServerFrame): Promise<void> {
    return this.writer.write(frame);
  }

  open(open: StreamOpen, handlers: StreamHandlers): TunnelStream {
    const id = this.nextId;
    this.nextId += 2;
    const end = new StreamEnd(id, (f) => this.writer.write(f));
    if (this.brokenReason !== undefined) {
      end.ended();
      queueMicrotask(() => handlers.close(this.brokenClose()));
      return new TunnelStream(end, this);
    }
    this.streams.set(id, { end, handlers });
    void this.writer.write({ streamId: id, open });
    return new TunnelStream(end, this);
  }

  forget(id: number): void {
    this.streams.delete(id);
  }

  /** A frame from the agent. A protocol violation ends the whole tunnel. */
  handle(frame: AgentFrame): void {
    const s = this.streams.get(frame.streamId);
    if (s === undefined) return; // a stream we cancelled: late frames are dropped
    if (frame.started !== undefined) s.handlers.started?.();
    if (frame.window !== undefined) s.end.granted(frame.window.bytes);
    if (frame.data !== undefined) {
      const d = frame.data;
      try {
        s.end.received(d);
      } catch (e) {
        if (e instanceof TunnelProtocolError) return this.fail(e.message);
        throw e;
      }
      Promise.resolve(s.handlers.data(d)).then(
        () => s.end.consumed(d.data.length),
        () => s.end.consumed(d.data.length),
      );
    }
    if (frame.close !== undefined) {
      s.end.ended();
      this.streams.delete(frame.streamId);
      s.handlers.close(frame.close);
    }
  }

  /** Ends the tunnel with an error the agent sees, failing every stream. */
  fail(reason: string, code: number = CloseCode.unavailable): void {
    this.broken(reason);
    this.writer.stop();
    this.call.emit('error', { code, details: reason });
  }

  /** The tunnel is gone: every open stream ends with UNAVAILABLE. */
  broken(reason: string): void {
    if (this.brokenReason !== undefined) return;
    this.brokenReason = reason;
    const streams = [...this.streams.values()];
    this.streams.clear();
    if (streams.length > 0) this.log.info({ node: this.nodeName, streams: streams.length, reason }, 'node tunnel closed with streams open');
    for (const s of streams) {
      s.end.ended();
      s.handlers.close(this.brokenClose());
    }
  }

  private brokenClose(): StreamClose {
    return closeFrame(CloseCode.unavailable, `the tunnel of node "${this.nodeName}" closed (${this.brokenReason ?? 'unknown'}); retry`);
  }
}
