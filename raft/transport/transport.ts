// The seam between the node driver and the network. Implementations: GrpcTransport (real peers)
// and MemoryTransport (tests, simulations).
import type { RaftLogger } from '../core/config.js';
import type { Message, NodeId } from '../core/types.js';

/**
 * Carries Raft messages between members. Rules every implementation keeps:
 * - send() never blocks and never throws. Raft tolerates loss, so a message that cannot be
 *   delivered (peer unknown or down, queue full, link cut) is dropped, and onUnreachable reports
 *   the peer.
 * - Messages from one member to another arrive in the order they were sent, except MsgSnap,
 *   which travels on its own path and may overtake or be overtaken by ordinary messages.
 * - A MsgSnap is delivered whole (snapshot.data complete) or not at all; its outcome is
 *   reported to the sender through onSnapshotStatus exactly once.
 * - Handlers are never called from inside send(), and never after close().
 * - Messages for another cluster or addressed to another member are refused by the receiver.
 */
export interface Transport {
  /** Starts listening. Rejects when the address cannot be bound. */
  start(): Promise<void>;
  /** Queues messages for their `to` member. Local message types are dropped. */
  send(messages: Message[]): void;
  /**
   * Adds a peer, or moves it to a new address (e.g. "127.0.0.1:2380"). Throws RangeError on an
   * id that is not a positive integer or is this member's own (GrpcTransport also on an address
   * that is not host:port): validate members before they reach the log.
   */
  addPeer(id: NodeId, address: string): void;
  /** Forgets a peer; what was queued for it is dropped and nothing more is reported about it. */
  removePeer(id: NodeId): void;
  /** Receives every message that arrives; the driver steps it into Raft. */
  onMessage(handler: (m: Message) => void): void;
  /** A peer could not be reached; the driver calls raft.reportUnreachable. Rate-limited. */
  onUnreachable(handler: (id: NodeId) => void): void;
  /** A snapshot to `id` was delivered (ok) or failed; the driver calls raft.reportSnapshot. */
  onSnapshotStatus(handler: (id: NodeId, ok: boolean) => void): void;
  /** Stops listening, drops every stream and timer. Idempotent. */
  close(): Promise<void>;
}

export type TransportLogger = RaftLogger;
