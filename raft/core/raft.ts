import type { RaftConfig } from './config.js';
import type { ConfChange, ConfState, Message, NodeId, Ready, Role } from './types.js';

export type ProposeResult = { ok: true } | { ok: false; reason: string };

export interface RaftStatus {
  id: NodeId;
  term: number;
  vote: NodeId;
  commit: number;
  applied: number;
  lastIndex: number;
  leader: NodeId;
  role: Role;
  conf: ConfState;
  /** Leader only: per-follower match index. */
  progress: Map<NodeId, { match: number; next: number; state: string }>;
}

/**
 * The Raft state machine of one member. No I/O, no timers, no randomness of its own:
 * tick(), step(), propose() go in; ready() hands out what to persist, send and apply.
 */
export class Raft {
  constructor(_config: RaftConfig) {
    throw new Error('not yet implemented');
  }
  tick(): void {}
  step(_m: Message): void {}
  campaign(): void {}
  propose(_data: Uint8Array): ProposeResult {
    return { ok: false, reason: 'todo' };
  }
  proposeConfChange(_cc: ConfChange): ProposeResult {
    return { ok: false, reason: 'todo' };
  }
  readIndex(_context: Uint8Array): ProposeResult {
    return { ok: false, reason: 'todo' };
  }
  transferLeadership(_to: NodeId): void {}
  reportUnreachable(_id: NodeId): void {}
  reportSnapshot(_id: NodeId, _ok: boolean): void {}
  hasReady(): boolean {
    return false;
  }
  ready(): Ready {
    throw new Error('todo');
  }
  advance(_rd: Ready): void {}
  status(): RaftStatus {
    throw new Error('todo');
  }
}
