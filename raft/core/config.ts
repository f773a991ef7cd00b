import type { LogStorage } from '../storage/log-storage.js';
import type { NodeId } from './types.js';

export interface RaftConfig {
  id: NodeId;
  storage: LogStorage;
  /** Followers start an election after a random timeout in [electionTick, 2*electionTick) ticks. */
  electionTick?: number;
  heartbeatTick?: number;
  /** Seeded random source in [0, 1): the core has no randomness of its own. */
  random: () => number;
  /** The last index the state machine has applied (on restart). */
  applied?: number;
  preVote?: boolean;
  checkQuorum?: boolean;
  /** Bytes of entries per AppendEntries message. */
  maxSizePerMsg?: number;
  /** AppendEntries messages in flight per follower (pipelining window). */
  maxInflightMsgs?: number;
  /** Bytes of entries in flight per follower. */
  maxInflightBytes?: number;
  /**
   * 'safe' confirms leadership with a heartbeat round for every read index (default).
   * 'lease-based' answers at once while the leader holds a lease (a quorum acknowledged a
   * heartbeat sent less than electionTick - 2 ticks ago), else like 'safe'. Correct only while
   * the members' clocks advance at about the same rate (bounded drift); needs checkQuorum.
   */
  readOnlyOption?: 'safe' | 'lease-based';
  /** When true a follower drops proposals instead of forwarding them to the leader. */
  disableProposalForwarding?: boolean;
  logger?: RaftLogger;
}

export interface RaftLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface ResolvedConfig extends Required<Omit<RaftConfig, 'logger'>> {
  logger: RaftLogger | undefined;
}

export function resolveConfig(c: RaftConfig): ResolvedConfig {
  const r: ResolvedConfig = {
    id: c.id,
    storage: c.storage,
    electionTick: c.electionTick ?? 10,
    heartbeatTick: c.heartbeatTick ?? 1,
    random: c.random,
    applied: c.applied ?? 0,
    preVote: c.preVote ?? true,
    checkQuorum: c.checkQuorum ?? true,
    maxSizePerMsg: c.maxSizePerMsg ?? 1024 * 1024,
    maxInflightMsgs: c.maxInflightMsgs ?? 256,
    maxInflightBytes: c.maxInflightBytes ?? 32 * 1024 * 1024,
    readOnlyOption: c.readOnlyOption ?? 'safe',
    disableProposalForwarding: c.disableProposalForwarding ?? false,
    logger: c.logger,
  };
  if (!Number.isInteger(r.id) || r.id <= 0) throw new RangeError(`raft config: id must be a positive integer, got ${r.id}`);
  if (r.heartbeatTick <= 0) throw new RangeError('raft config: heartbeatTick must be > 0');
  if (r.electionTick <= r.heartbeatTick) throw new RangeError('raft config: electionTick must be > heartbeatTick');
  if (r.maxInflightMsgs <= 0) throw new RangeError('raft config: maxInflightMsgs must be > 0');
  if (r.maxSizePerMsg <= 0) throw new RangeError('raft config: maxSizePerMsg must be > 0');
  if (r.readOnlyOption === 'lease-based' && !r.checkQuorum) {
    throw new RangeError('raft config: lease-based reads need checkQuorum');
  }
  if (r.readOnlyOption === 'lease-based' && r.electionTick < 4) {
    throw new RangeError('raft config: lease-based reads need electionTick >= 4 (two ticks of margin)');
  }
  return r;
}
