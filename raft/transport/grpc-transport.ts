// The Transport over gRPC: a RaftTransport server for what arrives, and one PeerConnection per
// peer for what leaves. Ordinary messages travel on one long-lived Stream per ordered pair of
// members; each snapshot travels on its own SendSnapshot call, so heartbeats never wait behind
// it. TLS plugs in through `credentials`.
import * as grpc from '@grpc/grpc-js';
import type { Message, NodeId } from '../core/types.js';
import { MessageType, isLocalMessage } from '../core/types.js';
import type { MessageBatch, RaftTransportServer, SnapshotAck, SnapshotChunk, StreamAck } from '../../proto/gen/raft.js';
import { RaftTransportService } from '../../proto/gen/raft.js';
import { estimateSize } from './codec.js';
import { TransportError, TransportErrorCode } from './errors.js';
import type { GrpcTransportOptions, ResolvedGrpcTransportOptions } from './grpc-transport-options.js';
import { channelOptions, parseHostPort, resolveGrpcTransportOptions, serverOptions } from './grpc-transport-options.js';
import type { Receiver, Refusal } from './inbound-check.js';
import { checkBatch, checkSnapshotHeader } from './inbound-check.js';
import { PeerConnection } from './peer-connection.js';
import { RateLimit } from './rate-limit.js';
import { SnapshotAssembly } from './snapshot-assembly.js';
import { raiseReceiveWindows } from './server-window.js';
import type { Transport } from './transport.js';

type Lifecycle = 'new' | 'starting' | 'started' | 'closed';

export class GrpcTransport implements Transport {
  private readonly o: ResolvedGrpcTransportOptions;
  private readonly receiver: Receiver;
  private readonly peers = new Map<NodeId, PeerConnection>();
  private readonly warnLimit: RateLimit;
  private readonly unknownPeerReports = new Map<NodeId, RateLimit>();
  private lifecycle: Lifecycle = 'new';
  private server: grpc.Server | undefined;
  private boundPort: number | undefined;
  private messageHandler: ((m: Message) => void) | undefined;
  private unreachableHandler: ((id: NodeId) => void) | undefined;
  private snapshotHandler: ((id: NodeId, ok: boolean) => void) | undefined;

  constructor(options: GrpcTransportOptions) {
    this.o = resolveGrpcTransportOptions(options);
    this.receiver = { clusterId: this.o.clusterId, self: this.o.id };
    this.warnLimit = new RateLimit(this.o.limits.unreachableReportIntervalMs, this.o.now);
  }

  get id(): NodeId {
    return this.o.id;
  }

  /** The bound "host:port" (with the real port when listening on port 0). Only after start(). */
  get address(): string {
    if (this.boundPort === undefined) throw new TransportError(TransportErrorCode.BadState, 'grpc transport: address is known only after start()');
    return `${this.o.listenHost}:${this.boundPort}`;
  }

  async start(): Promise<void> {
    if (this.lifecycle !== 'new') throw new TransportError(TransportErrorCode.BadState, `grpc transport: start() when ${this.lifecycle}`);
    this.lifecycle = 'starting';
    const server = new grpc.Server(serverOptions(this.o.limits));
    server.addService(RaftTransportService, this.serviceImpl());
    const creds = this.o.credentials?.server ?? grpc.ServerCredentials.createInsecure();
    const listen = `${this.o.listenHost}:${this.o.listenPort}`;
    try {
      this.boundPort = await new Promise<number>((resolve, reject) => {
        server.bindAsync(listen, creds, (err, port) => (err === null ? resolve(port) : reject(err)));
      });
    } catch (cause) {
      server.forceShutdown();
      this.lifecycle = 'closed';
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new TransportError(TransportErrorCode.ListenFailed, `grpc transport: cannot listen on ${listen}: ${why}`, { cause });
    }
    if (this.lifecycle !== 'starting') {
      // close() ran while binding.
      server.forceShutdown();
      return;
    }
    const l = this.o.limits;
    if (!raiseReceiveWindows(server, l.streamWindowBytes, l.connectionWindowBytes)) {
      this.o.logger?.warn('raft transport: could not raise the HTTP/2 receive windows (grpc-js changed?); throughput over long links will suffer');
    }
    this.server = server;
    this.lifecycle = 'started';
    this.o.logger?.info(`raft transport: member ${this.o.id} listening on ${this.address}`);
  }

  send(messages: Message[]): void {
    for (const m of messages) {
      if (this.lifecycle === 'closed') return;
      const peer = this.peers.get(m.to);
      if (isLocalMessage(m.type) || m.to === this.o.id || m.from !== this.o.id) {
        this.warn(`raft transport: dropped a message of type ${m.type} from ${m.from} to ${m.to}: not for the network`);
      } else if (m.type === MessageType.Snap) {
        if (peer === undefined || m.snapshot === undefined) {
          this.warn(`raft transport: dropped a snapshot to member ${m.to}: ${peer === undefined ? 'unknown peer' : 'no snapshot in MsgSnap'}`);
          queueMicrotask(() => this.lifecycle !== 'closed' && this.snapshotHandler?.(m.to, false));
        } else {
          peer.sendSnapshot(m);
        }
      } else if (peer === undefined) {
        this.warn(`raft transport: dropped a message to member ${m.to}: unknown peer (addPeer first)`);
        this.reportUnknown(m.to);
      } else {
        const size = estimateSize(m);
        if (size > this.o.limits.maxMessageBytes - 1024) {
          this.warn(`raft transport: dropped a message of ~${size} bytes to member ${m.to}: over limits.maxMessageBytes; lower Raft's maxSizePerMsg`);
        } else {
          peer.send(m, size);
        }
      }
    }
  }

  addPeer(id: NodeId, address: string): void {
    if (this.lifecycle === 'closed') return;
    if (!Number.isSafeInteger(id) || id <= 0 || id === this.o.id) throw new RangeError(`grpc transport: bad peer id ${id}`);
    if (parseHostPort(address) === undefined) throw new RangeError(`grpc transport: peer ${id} address must be host:port, got "${address}"`);
    this.unknownPeerReports.delete(id);
    const old = this.peers.get(id);
    if (old?.address === address) return;
    old?.close();
    this.peers.set(
      id,
      new PeerConnection(id, address, {
        self: this.o.id,
        clusterId: this.o.clusterId,
        credentials: this.o.credentials?.channel ?? grpc.credentials.createInsecure(),
        channelOptions: channelOptions(this.o.limits),
        limits: this.o.limits,
        random: this.o.random,
        now: this.o.now,
        logger: this.o.logger,
        unreachable: (peer) => this.lifecycle !== 'closed' && this.unreachableHandler?.(peer),
        snapshotStatus: (peer, ok) => this.lifecycle !== 'closed' && this.snapshotHandler?.(peer, ok),
      }),
    );
  }

  removePeer(id: NodeId): void {
    this.peers.get(id)?.close();
    this.peers.delete(id);
  }

  onMessage(handler: (m: Message) => void): void {
    this.messageHandler = handler;
  }

  onUnreachable(handler: (id: NodeId) => void): void {
    this.unreachableHandler = handler;
  }

  onSnapshotStatus(handler: (id: NodeId, ok: boolean) => void): void {
    this.snapshotHandler = handler;
  }

  async close(): Promise<void> {
    if (this.lifecycle === 'closed') return;
    this.lifecycle = 'closed';
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
    // Peers' streams into this server never end on their own: cut them rather than wait.
    this.server?.forceShutdown();
    this.server = undefined;
  }

  private reportUnknown(id: NodeId): void {
    let limit = this.unknownPeerReports.get(id);
    if (limit === undefined) {
      limit = new RateLimit(this.o.limits.unreachableReportIntervalMs, this.o.now);
      this.unknownPeerReports.set(id, limit);
    }
    if (limit.allow()) queueMicrotask(() => this.lifecycle !== 'closed' && !this.peers.has(id) && this.unreachableHandler?.(id));
  }

  private deliver(m: Message): void {
    if (this.lifecycle === 'started') this.messageHandler?.(m);
  }

  private warn(msg: string): void {
    if (this.warnLimit.allow()) this.o.logger?.warn(msg);
  }

  private refuse(refusal: Refusal, peer: string): grpc.StatusObject {
    this.warn(`raft transport: refused a call from ${peer}: ${grpc.status[refusal.code]}: ${refusal.details}`);
    return { code: refusal.code, details: refusal.details, metadata: new grpc.Metadata() };
  }

  private serviceImpl(): RaftTransportServer {
    return {
      stream: (call: grpc.ServerReadableStream<MessageBatch, StreamAck>, callback: grpc.sendUnaryData<StreamAck>) => {
        let done = false;
        let from: NodeId | undefined;
        call.on('data', (batch: MessageBatch) => {
          if (done) return;
          const checked = checkBatch(batch, this.receiver);
          if (!checked.ok || (from !== undefined && batch.from !== from)) {
            done = true;
            const refusal = checked.ok
              ? { code: grpc.status.INVALID_ARGUMENT, details: `stream from member ${from} carried a batch from member ${batch.from}` }
              : checked.refusal;
            callback(this.refuse(refusal, call.getPeer()));
            return;
          }
          from = batch.from;
          for (const m of checked.value) this.deliver(m);
        });
        call.on('end', () => {
          if (done) return;
          done = true;
          callback(null, {});
        });
        // The sender went away: its status is of no interest, and nothing is half-delivered.
        const gone = (): void => {
          done = true;
        };
        call.on('cancelled', gone);
        call.on('error', gone);
      },
      sendSnapshot: (call: grpc.ServerReadableStream<SnapshotChunk, SnapshotAck>, callback: grpc.sendUnaryData<SnapshotAck>) => {
        let done = false;
        let assembly: SnapshotAssembly | undefined;
        const fail = (refusal: Refusal): void => {
          done = true;
          assembly = undefined;
          callback(this.refuse(refusal, call.getPeer()));
        };
        call.on('data', (chunk: SnapshotChunk) => {
          if (done) return;
          if (assembly === undefined) {
            const checked = checkSnapshotHeader(chunk.header, this.receiver, this.o.limits.maxSnapshotBytes);
            if (!checked.ok) return fail(checked.refusal);
            assembly = new SnapshotAssembly(checked.value);
          } else if (chunk.header !== undefined) {
            return fail({ code: grpc.status.INVALID_ARGUMENT, details: 'snapshot header repeated in a later chunk' });
          }
          if (chunk.data.length > 0) {
            const bad = assembly.add(chunk.data);
            if (bad !== undefined) fail(bad);
          }
        });
        call.on('end', () => {
          if (done) return;
          if (assembly === undefined) return fail({ code: grpc.status.INVALID_ARGUMENT, details: 'snapshot call without chunks' });
          const whole = assembly.finish();
          if (!whole.ok) return fail(whole.refusal);
          done = true;
          assembly = undefined;
          this.deliver(whole.value);
          callback(null, {});
        });
        // The sender went away mid-transfer: nothing reaches Raft.
        const gone = (): void => {
          done = true;
          assembly = undefined;
        };
        call.on('cancelled', gone);
        call.on('error', gone);
      },
    };
  }
}
