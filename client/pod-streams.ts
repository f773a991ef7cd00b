// Logs, exec, image load and node stats through the API servers (shoal.api.v1.NodeStreams), which relay them
// to the node's agent over the tunnel the agent opened. A server without that node's tunnel
// answers UNAVAILABLE before any output: the call then moves to the next server (each tried
// once). After output has started, a failure is the caller's.
import type { ClientDuplexStream, ClientReadableStream, ClientWritableStream, ServiceError } from '@grpc/grpc-js';
import { NodeStreamsClient } from '../proto/gen/shoal/api/v1/tunnel.js';
import type { ExecInput, ExecOutput, ImageLoadChunk, ImageLoadResult, LogChunk, NodeStatsReply, PodLogsRequest, TerminalSize } from '../proto/gen/shoal/api/v1/tunnel.js';
import type { Connection } from './connection.js';
import { channelCredentials } from './credentials.js';
import { ApiError, ApiErrorReason, toApiError } from './errors.js';

export interface PodLogsOptions {
  readonly namespace: string;
  readonly name: string;
  /** "" = the pod's only container. */
  readonly container?: string;
  readonly follow?: boolean;
  readonly previous?: boolean;
  /** undefined = all lines. */
  readonly tailLines?: number;
  readonly timestamps?: boolean;
  readonly signal?: AbortSignal;
}

export interface PodExecOptions {
  readonly namespace: string;
  readonly name: string;
  readonly container?: string;
  readonly command: readonly string[];
  readonly tty?: boolean;
  readonly size?: TerminalSize;
  /** Bytes for the command's stdin (ends = EOF); undefined = no stdin. Read only once the command runs. */
  readonly stdin?: AsyncIterable<Uint8Array>;
  /** Called with a function that resizes the remote terminal. */
  readonly onResizer?: (resize: (size: TerminalSize) => void) => void;
  readonly signal?: AbortSignal;
}

/** Where output goes; a returned promise holds the stream back until it settles (backpressure). */
export type OutputSink = (bytes: Uint8Array) => void | Promise<void>;

export interface ImageLoadOptions {
  readonly node: string;
  /** Opens the tarball (again, if a server had to be skipped). */
  readonly open: () => AsyncIterable<Uint8Array>;
  readonly sizeBytes?: number;
  /** Bytes sent so far. */
  readonly onProgress?: (sent: number) => void;
  readonly signal?: AbortSignal;
}

/** Marks a failure that happened before the server produced anything: another server may try. */
class BeforeOutput extends Error {
  constructor(readonly error: unknown) {
    super('before output');
  }
}

const chunkBytes = 32 * 1024;

export class PodStreams {
  private readonly clients = new Map<string, NodeStreamsClient>();

  constructor(private readonly connection: Connection) {
    connection.closedSignal.addEventListener('abort', () => {
      for (const c of this.clients.values()) c.close();
      this.clients.clear();
    });
  }

  /** Streams the container's log into `out`; resolves when the log ends (follow: when the container stops or signal aborts). */
  podLogs(o: PodLogsOptions, out: OutputSink): Promise<void> {
    const req: PodLogsRequest = {
      namespace: o.namespace,
      name: o.name,
      container: o.container ?? '',
      follow: o.follow ?? false,
      previous: o.previous ?? false,
      tailLines: o.tailLines ?? -1,
      timestamps: o.timestamps ?? false,
    };
    return this.onServers(o.signal, (client, server) => {
      return new Promise<void>((resolve, reject) => {
        const call: ClientReadableStream<LogChunk> = client.podLogs(req, this.connection.metadata());
        let output = false;
        const abort = (): void => call.cancel();
        o.signal?.addEventListener('abort', abort, { once: true });
        call.on('data', (c: LogChunk) => {
          output = true;
          const p = out(c.data);
          if (p !== undefined) {
            call.pause();
            void p.finally(() => call.resume());
          }
        });
        call.on('error', (e: ServiceError) => {
          o.signal?.removeEventListener('abort', abort);
          if (o.signal?.aborted) return resolve();
          reject(output ? toApiError(e, server) : new BeforeOutput(e));
        });
        call.on('end', () => {
          o.signal?.removeEventListener('abort', abort);
          resolve();
        });
      });
    });
  }

  /** Runs a command in the pod's container; resolves with its exit code. */
  podExec(o: PodExecOptions, stdout: OutputSink, stderr: OutputSink): Promise<number> {
    return this.onServers(o.signal, (client, server) => {
      return new Promise<number>((resolve, reject) => {
        const call: ClientDuplexStream<ExecInput, ExecOutput> = client.podExec(this.connection.metadata());
        let ready = false;
        let exitCode: number | undefined;
        const abort = (): void => call.cancel();
        o.signal?.addEventListener('abort', abort, { once: true });
        call.write({
          start: { namespace: o.namespace, name: o.name, container: o.container ?? '', command: [...o.command], stdin: o.stdin !== undefined, tty: o.tty ?? false, size: o.size ?? { cols: 0, rows: 0 } },
        });
        const pumpStdin = async (input: AsyncIterable<Uint8Array>): Promise<void> => {
          for await (const b of input) {
            if (exitCode !== undefined) return;
            if (!call.write({ stdin: b })) await new Promise<void>((r) => call.once('drain', r));
          }
          if (exitCode === undefined) call.write({ stdinEof: true });
        };
        const deliver = (p: void | Promise<void>): void => {
          if (p === undefined) return;
          call.pause();
          void p.finally(() => call.resume());
        };
        call.on('data', (m: ExecOutput) => {
          if (m.ready === true && !ready) {
            ready = true;
            o.onResizer?.((size) => void call.write({ resize: size }));
            if (o.stdin !== undefined) void pumpStdin(o.stdin).catch(() => undefined);
            else call.end();
          } else if (m.stdout !== undefined) deliver(stdout(m.stdout));
          else if (m.stderr !== undefined) deliver(stderr(m.stderr));
          else if (m.exitCode !== undefined) exitCode = m.exitCode;
        });
        call.on('error', (e: ServiceError) => {
          o.signal?.removeEventListener('abort', abort);
          if (o.signal?.aborted) return reject(new ApiError(1, ApiErrorReason.Cancelled, 'exec was interrupted', { server }));
          reject(ready ? toApiError(e, server) : new BeforeOutput(e));
        });
        call.on('end', () => {
          o.signal?.removeEventListener('abort', abort);
          if (exitCode === undefined) reject(new ApiError(13, ApiErrorReason.Unknown, `the exec stream ended without an exit code (${server})`, { server }));
          else resolve(exitCode);
        });
      });
    });
  }

  /** Streams a `docker save` tarball to the node's runtime. */
  imageLoad(o: ImageLoadOptions): Promise<ImageLoadResult> {
    if (o.node === '') return Promise.reject(new TypeError('imageLoad: node is required'));
    return this.onServers(o.signal, (client, server) => {
      return new Promise<ImageLoadResult>((resolve, reject) => {
        let failed = false;
        const call: ClientWritableStream<ImageLoadChunk> = client.imageLoad(this.connection.metadata(), (e: ServiceError | null, res?: ImageLoadResult) => {
          if (e !== null) {
            failed = true;
            // UNAVAILABLE from the admission (no tunnel here) comes before any data was taken.
            return reject(sent === 0 || e.code === 14 ? new BeforeOutput(e) : toApiError(e, server));
          }
          resolve(res as ImageLoadResult);
        });
        let sent = 0;
        const abort = (): void => call.cancel();
        o.signal?.addEventListener('abort', abort, { once: true });
        call.write({ node: o.node, sizeBytes: o.sizeBytes ?? 0, data: new Uint8Array(0) });
        void (async () => {
          for await (const chunk of o.open()) {
            for (let off = 0; off < chunk.length && !failed; off += chunkBytes) {
              const part = chunk.subarray(off, off + chunkBytes);
              if (!call.write({ node: '', sizeBytes: 0, data: part })) await new Promise<void>((r) => call.once('drain', r));
              sent += part.length;
              o.onProgress?.(sent);
            }
            if (failed) return;
          }
          call.end();
        })().catch((e: unknown) => {
          failed = true;
          call.cancel();
          reject(e);
        });
      });
    });
  }

  /** The node's and its pods' usage, measured now by the node's agent. */
  nodeStats(node: string, signal?: AbortSignal): Promise<NodeStatsReply> {
    if (node === '') return Promise.reject(new TypeError('nodeStats: node is required'));
    return this.onServers(signal, (client) => {
      return new Promise<NodeStatsReply>((resolve, reject) => {
        const call = client.nodeStats({ node }, this.connection.metadata(), (e: ServiceError | null, res?: NodeStatsReply) => {
          signal?.removeEventListener('abort', abort);
          // Nothing was produced before a failure: another server may have the node's tunnel.
          if (e !== null) reject(new BeforeOutput(e));
          else resolve(res as NodeStatsReply);
        });
        const abort = (): void => call.cancel();
        signal?.addEventListener('abort', abort, { once: true });
      });
    });
  }

  /** Tries the current server, then the others, while a failure is UNAVAILABLE before output. */
  private async onServers<T>(signal: AbortSignal | undefined, attempt: (client: NodeStreamsClient, server: string) => Promise<T>): Promise<T> {
    const servers = this.connection.servers;
    const first = servers.indexOf(this.connection.currentServer());
    let last: ApiError | undefined;
    for (let i = 0; i < servers.length; i++) {
      const server = servers[(first + i) % servers.length]!;
      if (signal?.aborted) throw new ApiError(1, ApiErrorReason.Cancelled, 'the call was aborted', { server });
      try {
        return await attempt(this.clientFor(server), server);
      } catch (e) {
        if (!(e instanceof BeforeOutput)) throw e;
        last = toApiError(e.error, server);
        if (last.reason !== ApiErrorReason.Unavailable) throw last;
      }
    }
    throw last ?? new ApiError(14, ApiErrorReason.Unavailable, 'no API server answered');
  }

  private clientFor(server: string): NodeStreamsClient {
    if (this.connection.isClosed) throw new ApiError(1, ApiErrorReason.Cancelled, 'the client is closed', { server });
    let c = this.clients.get(server);
    if (c === undefined) {
      c = new NodeStreamsClient(server, channelCredentials(this.connection.credentials), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
      this.clients.set(server, c);
    }
    return c;
  }
}
