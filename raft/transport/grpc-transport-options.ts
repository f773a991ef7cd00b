// Configuration of GrpcTransport, validated at construction.
import { constants as bufferConstants } from 'node:buffer';
import type * as grpc from '@grpc/grpc-js';
import type { NodeId } from '../core/types.js';
import type { TransportLogger } from './transport.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface GrpcTransportLimits {
  /** Messages queued per peer; beyond this new messages are dropped. */
  maxQueuedMessages: number;
  /** Estimated bytes queued per peer; beyond this new messages are dropped. */
  maxQueuedBytes: number;
  /** Estimated bytes coalesced into one MessageBatch (a single larger message still goes alone). */
  maxBatchBytes: number;
  /** gRPC max send/receive message size; a message estimated larger is dropped at send(). */
  maxMessageBytes: number;
  /** Data bytes per SnapshotChunk. */
  snapshotChunkBytes: number;
  /** The largest snapshot this member accepts. */
  maxSnapshotBytes: number;
  /** Reconnect backoff: first delay about minMs, doubling up to maxMs, jittered. */
  backoffMinMs: number;
  backoffMaxMs: number;
  /** At most one onUnreachable report per peer per interval. */
  unreachableReportIntervalMs: number;
  /** HTTP/2 keepalive pings: a peer that does not answer within timeoutMs is dropped. */
  keepaliveTimeMs: number;
  keepaliveTimeoutMs: number;
  /** HTTP/2 receive window per incoming stream and per connection (bytes a peer may have in flight). */
  streamWindowBytes: number;
  connectionWindowBytes: number;
}

export const DEFAULT_GRPC_TRANSPORT_LIMITS: Readonly<GrpcTransportLimits> = {
  maxQueuedMessages: 4096,
  maxQueuedBytes: 32 * MiB,
  maxBatchBytes: 4 * MiB,
  maxMessageBytes: 64 * MiB,
  snapshotChunkBytes: 512 * KiB,
  maxSnapshotBytes: bufferConstants.MAX_LENGTH,
  backoffMinMs: 50,
  backoffMaxMs: 2000,
  unreachableReportIntervalMs: 1000,
  keepaliveTimeMs: 2000,
  keepaliveTimeoutMs: 1000,
  streamWindowBytes: 8 * MiB,
  connectionWindowBytes: 16 * MiB,
};

export interface GrpcTransportOptions {
  id: NodeId;
  /** Members refuse messages from another cluster. */
  clusterId: number;
  /** host:port to listen on, e.g. "127.0.0.1:2380"; port 0 picks a free port (see `address`). */
  listen: string;
  /** Default: insecure on both sides. */
  credentials?: { server: grpc.ServerCredentials; channel: grpc.ChannelCredentials };
  logger?: TransportLogger;
  /** Jitter source in [0, 1). Default Math.random. */
  random?: () => number;
  /** Monotonic milliseconds, for rate limits. Default performance.now. */
  now?: () => number;
  limits?: Partial<GrpcTransportLimits>;
}

export interface ResolvedGrpcTransportOptions {
  id: NodeId;
  clusterId: number;
  listenHost: string;
  listenPort: number;
  credentials: { server: grpc.ServerCredentials; channel: grpc.ChannelCredentials } | undefined;
  logger: TransportLogger | undefined;
  random: () => number;
  now: () => number;
  limits: GrpcTransportLimits;
}

/** Splits "host:port" (or "[v6]:port"); undefined when malformed. */
export function parseHostPort(address: string): { host: string; port: number } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(address);
  if (m === null) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  return { host: m[1] as string, port };
}

function positiveInt(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`grpc transport: ${name} must be a positive integer, got ${v}`);
}

export function resolveGrpcTransportOptions(o: GrpcTransportOptions): ResolvedGrpcTransportOptions {
  positiveInt('id', o.id);
  positiveInt('clusterId', o.clusterId);
  const hp = parseHostPort(o.listen);
  if (hp === undefined) throw new RangeError(`grpc transport: listen must be host:port, got "${o.listen}"`);
  const limits: GrpcTransportLimits = { ...DEFAULT_GRPC_TRANSPORT_LIMITS, ...o.limits };
  for (const [k, v] of Object.entries(limits)) positiveInt(`limits.${k}`, v);
  if (limits.backoffMinMs > limits.backoffMaxMs) throw new RangeError('grpc transport: limits.backoffMinMs must be <= backoffMaxMs');
  if (limits.streamWindowBytes > 2 ** 31 - 1 || limits.connectionWindowBytes > 2 ** 31 - 1) {
    throw new RangeError('grpc transport: HTTP/2 windows must be < 2 GiB');
  }
  if (limits.maxBatchBytes > limits.maxMessageBytes) throw new RangeError('grpc transport: limits.maxBatchBytes must be <= maxMessageBytes');
  if (limits.snapshotChunkBytes + 64 * KiB > limits.maxMessageBytes) {
    throw new RangeError('grpc transport: limits.snapshotChunkBytes must leave 64 KiB of room under maxMessageBytes');
  }
  if (limits.maxSnapshotBytes > bufferConstants.MAX_LENGTH) {
    throw new RangeError(`grpc transport: limits.maxSnapshotBytes must be <= ${bufferConstants.MAX_LENGTH} (largest buffer)`);
  }
  return {
    id: o.id,
    clusterId: o.clusterId,
    listenHost: hp.host,
    listenPort: hp.port,
    credentials: o.credentials,
    logger: o.logger,
    random: o.random ?? Math.random,
    now: o.now ?? (() => performance.now()),
    limits,
  };
}

/** Channel options for the client side of every peer. */
export function channelOptions(l: GrpcTransportLimits): grpc.ChannelOptions {
  return {
    'grpc.max_send_message_length': l.maxMessageBytes,
    'grpc.max_receive_message_length': l.maxMessageBytes,
    'grpc.keepalive_time_ms': l.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': l.keepaliveTimeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.initial_reconnect_backoff_ms': l.backoffMinMs,
    'grpc.max_reconnect_backoff_ms': l.backoffMaxMs,
    // Retries buffer writes and acknowledge them before they reach the socket, which would
    // hide backpressure; a broken stream is handled by the transport's own reconnect.
    'grpc.enable_retries': 0,
    // Each transport owns its connections; two transports in one process share none.
    'grpc.use_local_subchannel_pool': 1,
  };
}

export function serverOptions(l: GrpcTransportLimits): grpc.ServerOptions {
  return {
    'grpc.max_send_message_length': l.maxMessageBytes,
    'grpc.max_receive_message_length': l.maxMessageBytes,
    'grpc.keepalive_time_ms': l.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': l.keepaliveTimeoutMs,
  };
}
