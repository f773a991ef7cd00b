// One open tunnel on the agent: the server's frames open streams (logs, exec, image load, stats), feed
// them input and credit, resize or cancel them; each stream's handler runs until it returns its
// result (sent as the close frame) or throws (closed with the error's code).
import { CloseCode, StreamEnd, TunnelProtocolError, closeFrame } from '../../api/tunnel/index.js';
import type { MuxFrame } from '../../api/tunnel/index.js';
import type { ServerFrame, StreamData, StreamOpen, TerminalSize } from '../../proto/gen/shoal/api/v1/tunnel.js';
import type { Logger } from '../logger.js';
import { RuntimeError, RuntimeErrorCode } from '../runtime/index.js';
import type { ContainerRuntime } from '../runtime/index.js';
import { serveExec } from './serve-exec.js';
import { serveImageLoad } from './serve-image-load.js';
import { serveLogs } from './serve-logs.js';
import { serveStats } from './serve-stats.js';
import type { NodeUsageSource } from '../node/node-usage.js';
import { TunnelStreamError } from './stream-context.js';
import type { StreamContext, StreamResult } from './stream-context.js';

interface Open {
  readonly end: StreamEnd;
  readonly abort: AbortController;
  input: Promise<void>;
  inputHandler: ((d: StreamData) => Promise<void>) | undefined;
  pendingInput: StreamData[];
  resize: ((s: TerminalSize) => void) | undefined;
}

export interface TunnelSessionDeps {
  readonly runtime: ContainerRuntime;
  readonly nodeName: string;
  readonly log: Logger;
  /** The node's own usage (stats streams). */
  readonly nodeUsage: NodeUsageSource;
  readonly now: () => number;
  /** Writes a frame to the server; resolves when the tunnel can take more. */
  readonly write: (frame: MuxFrame & { started?: object }) => Promise<void>;
  /** The server broke the protocol: end the tunnel (it reconnects). */
  readonly abortTunnel: (reason: string) => void;
}

export function closeCodeOf(e: unknown): { code: CloseCode; message: string } {
  if (e instanceof TunnelStreamError) return { code: e.code, message: e.message };
  if (e instanceof RuntimeError) return { code: e.code === RuntimeErrorCode.NotFound ? CloseCode.notFound : CloseCode.unavailable, message: e.message };
  return { code: CloseCode.internal, message: `the agent failed: ${(e as Error)?.message ?? String(e)}` };
}

export class TunnelSession {
  private readonly streams = new Map<number, Open>();

  constructor(private readonly d: TunnelSessionDeps) {}

  get openStreams(): number {
    return this.streams.size;
  }

  handle(frame: ServerFrame): void {
    const id = frame.streamId;
    if (frame.open !== undefined) return this.open(id, frame.open);
    const s = this.streams.get(id);
    if (s === undefined) return; // already finished here: late frames are dropped
    if (frame.window !== undefined) s.end.granted(frame.window.bytes);
    if (frame.data !== undefined) this.input(s, frame.data);
    if (frame.resize !== undefined) s.resize?.(frame.resize);
    if (frame.close !== undefined) {
      s.end.ended();
      this.streams.delete(id);
      s.abort.abort();
    }
  }

  /** The tunnel is gone: every stream stops. */
  broken(): void {
    for (const s of this.streams.values()) {
      s.end.ended();
      s.abort.abort();
    }
    this.streams.clear();
  }

  private input(s: Open, d: StreamData): void {
    try {
      s.end.received(d);
    } catch (e) {
      if (e instanceof TunnelProtocolError) return this.d.abortTunnel(e.message);
      throw e;
    }
    if (s.inputHandler === undefined) {
      s.pendingInput.push(d);
      return;
    }
    const h = s.inputHandler;
    s.input = s.input.then(() => h(d)).then(
      () => s.end.consumed(d.data.length),
      () => s.end.consumed(d.data.length),
    );
  }

  private open(id: number, open: StreamOpen): void {
    if (this.streams.has(id)) return this.d.abortTunnel(`the server opened stream ${id} twice`);
    const end = new StreamEnd(id, (f) => this.d.write(f));
    const s: Open = { end, abort: new AbortController(), input: Promise.resolve(), inputHandler: undefined, pendingInput: [], resize: undefined };
    this.streams.set(id, s);
    const ctx: StreamContext = {
      signal: s.abort.signal,
      started: () => void this.d.write({ streamId: id, started: {} }),
      send: (channel, bytes) => end.send(channel, bytes),
      onInput: (h) => {
        s.inputHandler = h;
        const pending = s.pendingInput;
        s.pendingInput = [];
        for (const d of pending) {
          s.input = s.input.then(() => h(d)).then(
            () => end.consumed(d.data.length),
            () => end.consumed(d.data.length),
          );
        }
      },
      onResize: (h) => {
        s.resize = h;
      },
    };
    const what = open.logs !== undefined ? 'logs' : open.exec !== undefined ? 'exec' : open.imageLoad !== undefined ? 'image load' : open.stats !== undefined ? 'stats' : 'unknown';
    this.serve(open, ctx).then(
      (r) => this.finish(id, s, closeFrame(CloseCode.ok, '', r)),
      (e: unknown) => {
        const { code, message } = closeCodeOf(e);
        if (code === CloseCode.internal) this.d.log.warn({ stream: id, what, err: (e as Error)?.stack ?? String(e) }, 'tunnel stream failed');
        this.finish(id, s, closeFrame(code, message));
      },
    );
  }

  private finish(id: number, s: Open, close: ReturnType<typeof closeFrame>): void {
    if (this.streams.get(id) !== s) return; // cancelled by the server: it needs no answer
    this.streams.delete(id);
    void s.end.close(close);
    s.abort.abort();
  }

  private serve(open: StreamOpen, ctx: StreamContext): Promise<StreamResult> {
    const { runtime, nodeName } = this.d;
    if (open.logs !== undefined) return serveLogs(runtime, nodeName, open.logs, ctx);
    if (open.exec !== undefined) return serveExec(runtime, nodeName, open.exec, ctx);
    if (open.imageLoad !== undefined) return serveImageLoad(runtime, ctx);
    if (open.stats !== undefined) return serveStats({ runtime, nodeName, nodeUsage: this.d.nodeUsage, now: this.d.now }, ctx);
    return Promise.reject(new TunnelStreamError(CloseCode.invalidArgument, 'this agent does not know the requested stream kind (a newer API server?)'));
  }
}
