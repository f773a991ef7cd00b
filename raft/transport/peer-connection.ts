// The sending side towards one peer: one long-lived Stream call carrying coalesced batches from
// a bounded queue, a reconnect loop with backoff, and at most one snapshot call at a time.
//
// Rules:
// - While the stream is broken (backoff), messages are dropped at once, not queued: Raft resends
//   what matters, and stale messages would only delay fresh ones after reconnecting.
// - A write that returns false stops the flush until 'drain'; meanwhile messages gather in the
//   bounded queue and leave as one batch.
// - Reports go to the transport asynchronously and never after close().
import * as grpc from '@grpc/grpc-js';
import type { Message, NodeId } from '../core/types.js';
import type { MessageBatch } from '../../proto/gen/raft.js';
import { RaftTransportClient } from '../../proto/gen/raft.js';
import { backoffDelay } from './backoff.js';
import { messageToWire } from './codec.js';
import type { GrpcTransportLimits } from './grpc-transport-options.js';
import { OutgoingQueue } from './outgoing-queue.js';
import { RateLimit } from './rate-limit.js';
import type { SnapshotSend } from './snapshot-sender.js';
import { startSnapshotSend } from './snapshot-sender.js';
import type { TransportLogger } from './transport.js';

export interface PeerContext {
  self: NodeId;
  clusterId: number;
  credentials: grpc.ChannelCredentials;
  channelOptions: grpc.ChannelOptions;
  limits: GrpcTransportLimits;
  random: () => number;
  now: () => number;
  logger: TransportLogger | undefined;
  unreachable(id: NodeId): void;
  snapshotStatus(id: NodeId, ok: boolean): void;
}

/** idle: no stream yet (opened by the next send); open: stream in use; backoff: waiting to retry. */
type StreamState = 'idle' | 'open' | 'backoff' | 'closed';

export class PeerConnection {
  private readonly client: RaftTransportClient;
  private readonly queue: OutgoingQueue;
  private readonly reportLimit: RateLimit;
  private state: StreamState = 'idle';
  private stream: grpc.ClientWritableStream<MessageBatch> | undefined;
  private openedAt = 0;
  private attempt = 0;
  private awaitingDrain = false;
  private flushQueued = false;
  private backoffTimer: NodeJS.Timeout | undefined;
  private snapshot: SnapshotSend | undefined;
  private droppedSinceReport = 0;

  constructor(
    readonly id: NodeId,
    readonly address: string,
    private readonly ctx: PeerContext,
  ) {
    this.client = new RaftTransportClient(address, ctx.credentials, ctx.channelOptions);
    this.queue = new OutgoingQueue(ctx.limits.maxQueuedMessages, ctx.limits.maxQueuedBytes);
    this.reportLimit = new RateLimit(ctx.limits.unreachableReportIntervalMs, ctx.now);
  }

  /** Queues an ordinary message of estimated `size` bytes. */
  send(m: Message, size: number): void {
    switch (this.state) {
      case 'closed':
        return;
      case 'backoff':
        this.dropped(1, 'the stream is down');
        return;
      case 'idle':
        this.open();
        break;
      case 'open':
        break;
    }
    if (!this.queue.push(m, size)) {
      this.dropped(1, `the queue is full (${this.queue.length} messages, ${this.queue.bytes} bytes)`);
      return;
    }
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => {
        this.flushQueued = false;
        this.flush();
      });
    }
  }

  /** Starts a snapshot transfer; a second one while one is in flight fails at once. */
  sendSnapshot(m: Message): void {
    if (this.state === 'closed') return;
    if (this.snapshot !== undefined) {
      this.ctx.logger?.warn(`raft transport: snapshot to member ${this.id} dropped: another one is in flight`);
      queueMicrotask(() => this.reportSnapshot(false));
      return;
    }
    const started = this.ctx.now();
    const size = m.snapshot?.data.length ?? 0;
    const s = startSnapshotSend(this.client, m, {
      clusterId: this.ctx.clusterId,
      self: this.ctx.self,
      chunkBytes: this.ctx.limits.snapshotChunkBytes,
    });
    this.snapshot = s;
    void s.done.then((outcome) => {
      if (this.snapshot === s) this.snapshot = undefined;
      if (this.state === 'closed') return;
      if (outcome.ok) {
        const ms = Math.round(this.ctx.now() - started);
        this.ctx.logger?.info(`raft transport: sent snapshot at index ${m.snapshot?.meta.index} (${size} bytes) to member ${this.id} in ${ms} ms`);
      } else {
        this.ctx.logger?.warn(`raft transport: snapshot to member ${this.id} at ${this.address} failed: ${grpc.status[outcome.code]}: ${outcome.details}`);
        if (outcome.code === grpc.status.UNAVAILABLE) this.reportUnreachable();
      }
      this.reportSnapshot(outcome.ok);
    });
  }

  /** Drops the queue, cancels the calls and closes the channel. No report follows. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.backoffTimer !== undefined) clearTimeout(this.backoffTimer);
    this.backoffTimer = undefined;
    this.queue.clear();
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    this.snapshot?.cancel();
    this.snapshot = undefined;
    this.client.close();
  }

  private open(): void {
    const call = this.client.stream((err) => this.onStreamEnd(call, err));
    // Failures arrive through the status callback above.
    call.on('error', () => {});
    this.stream = call;
    this.openedAt = this.ctx.now();
    this.state = 'open';
  }

  private flush(): void {
    const call = this.stream;
    if (call === undefined || this.state !== 'open' || this.awaitingDrain) return;
    while (this.queue.length > 0) {
      const messages = this.queue.take(this.ctx.limits.maxBatchBytes, Infinity).map(messageToWire);
      if (!call.write({ clusterId: this.ctx.clusterId, from: this.ctx.self, messages })) {
        this.awaitingDrain = true;
        call.once('drain', () => {
          if (this.stream !== call) return;
          this.awaitingDrain = false;
          this.flush();
        });
        return;
      }
    }
  }

  private onStreamEnd(call: grpc.ClientWritableStream<MessageBatch>, err: grpc.ServiceError | null): void {
    if (this.stream !== call || this.state === 'closed') return;
    this.stream = undefined;
    this.awaitingDrain = false;
    // A stream that stayed up for a full backoff period counts as healthy: start over.
    const healthy = this.ctx.now() - this.openedAt >= this.ctx.limits.backoffMaxMs;
    this.attempt = healthy ? 0 : this.attempt + 1;
    const delay = Math.round(
      backoffDelay(this.attempt, { minMs: this.ctx.limits.backoffMinMs, maxMs: this.ctx.limits.backoffMaxMs }, this.ctx.random),
    );
    const lost = this.queue.clear();
    const why = err === null ? 'closed by the peer' : `${grpc.status[err.code]}: ${err.details}`;
    if (this.attempt <= 1 || err?.code === grpc.status.FAILED_PRECONDITION) {
      this.ctx.logger?.warn(`raft transport: stream to member ${this.id} at ${this.address} broke (${why}); ${lost} queued message(s) dropped; retrying in ${delay} ms`);
    }
    this.droppedSinceReport += lost;
    this.reportUnreachable();
    this.state = 'backoff';
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = undefined;
      if (this.state === 'backoff') this.state = 'idle';
    }, delay);
  }

  private dropped(n: number, why: string): void {
    this.droppedSinceReport += n;
    if (this.reportLimit.allow()) {
      this.ctx.logger?.warn(`raft transport: dropped ${this.droppedSinceReport} message(s) to member ${this.id}: ${why}`);
      this.droppedSinceReport = 0;
      this.notifyUnreachable();
    }
  }

  private reportUnreachable(): void {
    if (this.reportLimit.allow()) {
      this.droppedSinceReport = 0;
      this.notifyUnreachable();
    }
  }

  private notifyUnreachable(): void {
    queueMicrotask(() => {
      if (this.state !== 'closed') this.ctx.unreachable(this.id);
    });
  }

  private reportSnapshot(ok: boolean): void {
    if (this.state !== 'closed') this.ctx.snapshotStatus(this.id, ok);
  }
}
