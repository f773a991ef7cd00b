import type { Message, NodeId } from '../core/types.js';

/**
 * What a RaftNode needs from its transport (raft/transport's Transport satisfies it). Rules:
 * - `send` never blocks and never throws for an unreachable peer: it queues, drops on
 *   overflow, and reports the peer through the unreachable handler.
 * - Messages are delivered to the message handler in the order each peer sent them.
 * - A snapshot message is reported through the snapshot-status handler once the transfer
 *   finished (ok) or failed.
 */
export interface NodeTransport {
  start(): void | Promise<void>;
  send(messages: Message[]): void;
  onMessage(handler: (m: Message) => void): void;
  onUnreachable(handler: (id: NodeId) => void): void;
  onSnapshotStatus(handler: (id: NodeId, ok: boolean) => void): void;
  close(): void | Promise<void>;
}
