// The in-memory twin of GrpcTransport, for tests and simulations. Transports listen on a
// MemoryNetwork under an address of any form; the network delivers asynchronously (setImmediate,
// so per-pair order holds) and can cut links between member ids.
//
// It keeps the Transport rules, as the real one does: receivers get copies (no shared buffers),
// messages for another cluster or member are refused, a dropped message reports the peer
// unreachable (at most once per send() call per peer), a snapshot is reported exactly once.
import type { Message, NodeId } from '../core/types.js';
import { MessageType, isLocalMessage } from '../core/types.js';
import { TransportError, TransportErrorCode } from './errors.js';
import type { Transport } from './transport.js';

export class MemoryNetwork {
  private readonly listeners = new Map<string, MemoryTransport>();
  private readonly cuts = new Set<string>();

  /** Cuts the link both ways: messages between a and b (also those in flight) are lost. */
  cut(a: NodeId, b: NodeId): void {
    this.cuts.add(linkKey(a, b));
    this.cuts.add(linkKey(b, a));
  }

  /** Cuts only from -> to (an asymmetric partition). */
  cutOneWay(from: NodeId, to: NodeId): void {
    this.cuts.add(linkKey(from, to));
  }

  /** Heals the link both ways. */
  heal(a: NodeId, b: NodeId): void {
    this.cuts.delete(linkKey(a, b));
    this.cuts.delete(linkKey(b, a));
  }

  /** Cuts every link of `id`, to every member that is listening now. */
  isolate(id: NodeId): void {
    for (const t of this.listeners.values()) if (t.id !== id) this.cut(id, t.id);
  }

  healAll(): void {
    this.cuts.clear();
  }

  canReach(from: NodeId, to: NodeId): boolean {
    return !this.cuts.has(linkKey(from, to));
  }

  /** For MemoryTransport.start(): false when the address is taken. */
  bind(address: string, t: MemoryTransport): boolean {
    if (this.listeners.has(address)) return false;
    this.listeners.set(address, t);
    return true;
  }

  /** For MemoryTransport.close(). */
  unbind(address: string, t: MemoryTransport): void {
    if (this.listeners.get(address) === t) this.listeners.delete(address);
  }

  /** The transport listening on `address`, if any. */
  lookup(address: string): MemoryTransport | undefined {
    return this.listeners.get(address);
  }
}

function linkKey(from: NodeId, to: NodeId): string {
  return `${from}>${to}`;
}

export interface MemoryTransportOptions {
  network: MemoryNetwork;
  id: NodeId;
  /** Default 1. */
  clusterId?: number;
  /** Any name unique on the network, e.g. "127.0.0.1:2380" or "m1". */
  listen: string;
}

type Lifecycle = 'new' | 'started' | 'closed';

export class MemoryTransport implements Transport {
  readonly id: NodeId;
  readonly clusterId: number;
  readonly address: string;
  private readonly network: MemoryNetwork;
  private readonly peers = new Map<NodeId, string>();
  private lifecycle: Lifecycle = 'new';
  private messageHandler: ((m: Message) => void) | undefined;
  private unreachableHandler: ((id: NodeId) => void) | undefined;
  private snapshotHandler: ((id: NodeId, ok: boolean) => void) | undefined;

  constructor(o: MemoryTransportOptions) {
    if (!Number.isSafeInteger(o.id) || o.id <= 0) throw new RangeError(`memory transport: id must be a positive integer, got ${o.id}`);
    const clusterId = o.clusterId ?? 1;
    if (!Number.isSafeInteger(clusterId) || clusterId <= 0) throw new RangeError(`memory transport: clusterId must be a positive integer, got ${clusterId}`);
    this.network = o.network;
    this.id = o.id;
    this.clusterId = clusterId;
    this.address = o.listen;
  }

  async start(): Promise<void> {
    if (this.lifecycle !== 'new') throw new TransportError(TransportErrorCode.BadState, `memory transport: start() when ${this.lifecycle}`);
    if (!this.network.bind(this.address, this)) {
      this.lifecycle = 'closed';
      throw new TransportError(TransportErrorCode.ListenFailed, `memory transport: address ${this.address} is in use`);
    }
    this.lifecycle = 'started';
  }

  send(messages: Message[]): void {
    if (this.lifecycle === 'closed') return;
    const byPeer = new Map<NodeId, Message[]>();
    for (const m of messages) {
      if (isLocalMessage(m.type) || m.to === this.id || m.from !== this.id) continue;
      let list = byPeer.get(m.to);
      if (list === undefined) byPeer.set(m.to, (list = []));
      list.push(cloneMessage(m));
    }
    for (const [to, batch] of byPeer) {
      const address = this.peers.get(to);
      setImmediate(() => this.deliver(to, address, batch));
    }
  }

  addPeer(id: NodeId, address: string): void {
    if (!Number.isSafeInteger(id) || id <= 0 || id === this.id) throw new RangeError(`memory transport: bad peer id ${id}`);
    this.peers.set(id, address);
  }

  removePeer(id: NodeId): void {
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
    if (this.lifecycle === 'started') this.network.unbind(this.address, this);
    this.lifecycle = 'closed';
  }

  /** Called by the sending MemoryTransport; true when accepted. */
  private accept(clusterId: number, batch: Message[]): boolean {
    if (this.lifecycle !== 'started' || clusterId !== this.clusterId) return false;
    if (batch.some((m) => m.to !== this.id)) return false;
    for (const m of batch) this.messageHandler?.(m);
    return true;
  }

  private deliver(to: NodeId, address: string | undefined, batch: Message[]): void {
    // The sender closed or forgot the peer while the batch was in flight.
    if (this.lifecycle === 'closed' || this.peers.get(to) !== address) return;
    const target = address === undefined ? undefined : this.network.lookup(address);
    const ok =
      target !== undefined &&
      this.network.canReach(this.id, to) &&
      target.accept(this.clusterId, batch);
    if (!ok) this.unreachableHandler?.(to);
    for (const m of batch) if (m.type === MessageType.Snap) this.snapshotHandler?.(to, ok);
  }
}

/** A deep copy, as the wire makes one: the receiver never shares buffers with the sender. */
function cloneMessage(m: Message): Message {
  return {
    ...m,
    entries: m.entries.map((e) => ({ ...e, data: e.data.slice() })),
    snapshot:
      m.snapshot === undefined
        ? undefined
        : {
            meta: {
              index: m.snapshot.meta.index,
              term: m.snapshot.meta.term,
              conf: { voters: [...m.snapshot.meta.conf.voters], learners: [...m.snapshot.meta.conf.learners] },
            },
            data: m.snapshot.data.slice(),
          },
    context: m.context.slice(),
  };
}
