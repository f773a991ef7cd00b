// The channels to the API servers and the rule for moving between them. Every server serves
// every request, so the client talks to one ("current") and moves to the next in the list when
// that one is unavailable. Unary calls go through call(), which adds failover and retries;
// streams pick a server with currentServer() and report failures with failedOver().
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type { CallOptions, ChannelOptions, ClientUnaryCall, ServiceError } from '@grpc/grpc-js';
import { ApiClient, ClusterClient } from '../proto/gen/shoal/api/v1/api.js';
import { backoffDelay, defaultBackoff, validateBackoff } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { systemClock, systemRng } from './clock.js';
import type { Clock, Rng } from './clock.js';
import { callMetadata, channelCredentials, insecureCredentials } from './credentials.js';
import type { ClientCredentials } from './credentials.js';
import { ApiError, ApiErrorReason, neverSent, toApiError } from './errors.js';

export interface RetryPolicy {
  /** Attempts per call, the first included (>= 1). */
  readonly maxAttempts: number;
  /** No retry starts after this much time since the call began (ms). */
  readonly maxElapsedMs: number;
  /** Delay between rounds (a round = every server tried once); moving to an untried server is immediate. */
  readonly backoff: BackoffPolicy;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 8, maxElapsedMs: 30_000, backoff: defaultBackoff };

export interface ConnectionOptions {
  /** API servers as host:port, tried in this order. */
  readonly servers: readonly string[];
  readonly credentials?: ClientCredentials;
  /** Deadline of each unary call attempt (ms). Default 30 s. */
  readonly callTimeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly clock?: Clock;
  readonly rng?: Rng;
  /** Extra grpc-js channel options (merged over the defaults below). */
  readonly channelOptions?: ChannelOptions;
}

/**
 * idempotent: safe to send again whatever happened (reads, watch, discovery).
 * write: retried only when it provably never reached a server; otherwise OutcomeUnknown.
 */
export type CallKind = 'idempotent' | 'write';

export interface CallContext {
  readonly server: string;
  readonly api: ApiClient;
  readonly cluster: ClusterClient;
  readonly metadata: Metadata;
  readonly options: Partial<CallOptions>;
  /** Aborts when the caller's signal aborts or the connection closes: pass it to unary(). */
  readonly signal: AbortSignal;
}

export interface CallOptionsIn {
  /** Overrides the connection's per-attempt deadline (ms). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

// Reconnect quickly after a server comes back (grpc-js defaults to 1 s .. 120 s), and notice a
// silently dead server under a long-lived watch through HTTP/2 pings.
const defaultChannelOptions: ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 5_000,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
};

const hostPort = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export function validateServer(s: string): string | undefined {
  const m = hostPort.exec(s);
  if (m === null) return `"${s}" is not host:port`;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `"${s}": port ${port} is out of range 1-65535`;
  return undefined;
}

interface Channels {
  readonly api: ApiClient;
  readonly cluster: ClusterClient;
}

export class Connection {
  readonly servers: readonly string[];
  readonly clock: Clock;
  readonly rng: Rng;
  readonly retry: RetryPolicy;
  readonly callTimeoutMs: number;
  /** What the channels authenticate with (the agent opens its tunnels with the same). */
  readonly credentials: ClientCredentials;
  private readonly channelOptions: ChannelOptions;
  private readonly channels = new Map<string, Channels>();
  private currentIndex = 0;
  private closed = false;
  private readonly closing = new AbortController();

  constructor(options: ConnectionOptions) {
    if (options.servers.length === 0) throw new TypeError('servers: at least one API server (host:port) is required');
    options.servers.forEach((s, i) => {
      const problem = validateServer(s);
      if (problem !== undefined) throw new TypeError(`servers[${i}]: ${problem}`);
    });
    const retry = options.retry ?? defaultRetryPolicy;
    if (!(Number.isInteger(retry.maxAttempts) && retry.maxAttempts >= 1)) throw new RangeError(`retry.maxAttempts: must be an integer >= 1, got ${retry.maxAttempts}`);
    if (!(retry.maxElapsedMs >= 0)) throw new RangeError(`retry.maxElapsedMs: must be >= 0, got ${retry.maxElapsedMs}`);
    validateBackoff(retry.backoff);
    const timeout = options.callTimeoutMs ?? 30_000;
    if (!(timeout > 0)) throw new RangeError(`callTimeoutMs: must be > 0, got ${timeout}`);
    this.servers = [...options.servers];
    this.credentials = options.credentials ?? insecureCredentials;
    channelCredentials(this.credentials); // fail at construction on bad credentials
    this.retry = retry;
    this.callTimeoutMs = timeout;
    this.clock = options.clock ?? systemClock;
    this.rng = options.rng ?? systemRng;
    this.channelOptions = { ...defaultChannelOptions, ...options.channelOptions };
  }

  /** Aborted when the connection closes: long-running work (watches, informers, backoff sleeps) stops. */
  get closedSignal(): AbortSignal {
    return this.closing.signal;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  currentServer(): string {
    return this.servers[this.currentIndex] as string;
  }

  /** `server` failed: if it is still the current one, move to the next in the list. */
  failedOver(server: string): void {
    if (this.currentServer() === server) this.currentIndex = (this.currentIndex + 1) % this.servers.length;
  }

  api(server: string): ApiClient {
    return this.channelsFor(server).api;
  }

  cluster(server: string): ClusterClient {
    return this.channelsFor(server).cluster;
  }

  /** A fresh copy of the metadata every call carries (credentials). */
  metadata(): Metadata {
    return callMetadata(this.credentials);
  }

  /**
   * Runs one unary call with failover and retries. UNAVAILABLE moves to the next server; an
   * idempotent call (or a write that never left this process) is retried, immediately on an
   * untried server and after a backoff once every server was tried. A write that may have
   * reached a server is never resent: it fails with OutcomeUnknown.
   */
  async call<R>(kind: CallKind, invoke: (ctx: CallContext) => Promise<R>, opts: CallOptionsIn = {}): Promise<R> {
    const start = this.clock.now();
    const timeoutMs = opts.timeoutMs ?? this.callTimeoutMs;
    const tried = new Set<string>();
    let rounds = 0;
    for (let attempt = 1; ; attempt++) {
      this.throwIfStopped(opts.signal);
      const server = this.currentServer();
      const signal = anySignal(this.closing.signal, opts.signal);
      try {
        const { api, cluster } = this.channelsFor(server);
        return await invoke({ server, api, cluster, metadata: this.metadata(), options: { deadline: new Date(Date.now() + timeoutMs) }, signal });
      } catch (e) {
        const err = toApiError(e, server);
        this.throwIfStopped(opts.signal);
        if (err.reason === ApiErrorReason.Timeout) {
          // A hung server: later calls go elsewhere; this one reports what happened.
          this.failedOver(server);
          if (kind === 'write') throw outcomeUnknown(err, server);
          throw err;
        }
        if (err.reason !== ApiErrorReason.Unavailable) throw err;
        this.failedOver(server);
        if (kind === 'write' && !neverSent(e)) throw outcomeUnknown(err, server);
        tried.add(server);
        const elapsed = this.clock.now() - start;
        if (attempt >= this.retry.maxAttempts || elapsed >= this.retry.maxElapsedMs) {
          throw new ApiError(GrpcStatus.UNAVAILABLE, ApiErrorReason.Unavailable, `no API server answered after ${attempt} attempt(s) in ${elapsed} ms (tried ${[...tried].join(', ')}): ${err.message}`, { cause: err, server });
        }
        if (tried.has(this.currentServer())) {
          await this.clock.sleep(backoffDelay(this.retry.backoff, rounds++, this.rng), signal);
        }
      }
    }
  }

  /** Closes every channel; calls in flight fail with Cancelled, watches end. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    for (const c of this.channels.values()) {
      c.api.close();
      c.cluster.close();
    }
    this.channels.clear();
  }

  private channelsFor(server: string): Channels {
    if (this.closed) throw new ApiError(GrpcStatus.CANCELLED, ApiErrorReason.Cancelled, 'the client is closed');
    let c = this.channels.get(server);
    if (c === undefined) {
      const creds = channelCredentials(this.credentials);
      c = { api: new ApiClient(server, creds, this.channelOptions), cluster: new ClusterClient(server, creds, this.channelOptions) };
      this.channels.set(server, c);
    }
    return c;
  }

  private throwIfStopped(signal: AbortSignal | undefined): void {
    if (this.closed) throw new ApiError(GrpcStatus.CANCELLED, ApiErrorReason.Cancelled, 'the client is closed');
    if (signal?.aborted) throw new ApiError(GrpcStatus.CANCELLED, ApiErrorReason.Cancelled, 'the call was aborted');
  }
}

function outcomeUnknown(err: ApiError, server: string): ApiError {
  return new ApiError(err.code, ApiErrorReason.OutcomeUnknown, `the write may or may not have been applied (${server}: ${err.message}); read the object to find out`, { cause: err, server });
}

export function anySignal(a: AbortSignal, b: AbortSignal | undefined): AbortSignal {
  return b === undefined ? a : AbortSignal.any([a, b]);
}

/**
 * Adapts a grpc-js unary method to a promise that honours an AbortSignal (the call is
 * cancelled). `method` must be bound to its client.
 */
export function unary<Req, Res>(
  method: (req: Req, md: Metadata, options: Partial<CallOptions>, cb: (err: ServiceError | null, res: Res) => void) => ClientUnaryCall,
  request: Req,
  ctx: CallContext,
): Promise<Res> {
  const signal = ctx.signal;
  return new Promise<Res>((resolve, reject) => {
    const call = method(request, ctx.metadata, ctx.options, (err, res) => {
      signal.removeEventListener('abort', cancel);
      if (err) reject(err);
      else resolve(res);
    });
    const cancel = (): void => call.cancel();
    if (signal.aborted) call.cancel();
    else signal.addEventListener('abort', cancel, { once: true });
  });
}
