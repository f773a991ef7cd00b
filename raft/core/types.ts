// The data types of Raft: log entries, durable state, messages and the Ready batch.
// They mirror proto/raft.proto field by field so the transport encodes them without copying.

/** A member's id. 0 means "none" (no vote, no leader). */
export type NodeId = number;
export const NONE: NodeId = 0;

export const EntryType = {
  Normal: 0,
  ConfChange: 1,
} as const;
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

/** What must be on disk before any message that depends on it leaves the node. */
export interface HardState {
  term: number;
  vote: NodeId;
  commit: number;
}

/** The membership at a point in the log. A node is either a voter or a learner, never both. */
export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

export interface SnapshotMeta {
  index: number;
  term: number;
  conf: ConfState;
}

export interface Snapshot {
  meta: SnapshotMeta;
  data: Uint8Array;
}

/**
 * One membership change. Shoal changes one server at a time (see raft/core/conf-change.ts for
 * the safety argument); promoting a learner is AddVoter on an existing learner.
 */
export const ConfChangeType = {
  AddVoter: 0,
  AddLearner: 1,
  Remove: 2,
} as const;
export type ConfChangeType = (typeof ConfChangeType)[keyof typeof ConfChangeType];

export interface ConfChange {
  type: ConfChangeType;
  node: NodeId;
  /** Opaque to Raft: the application stores e.g. the new member's peer URL here. */
  context: Uint8Array;
}

export const MessageType = {
  Hup: 0, // local: start an election (pre-vote first when enabled)
  Beat: 1, // local: leader sends heartbeats
  Prop: 2, // propose entries; forwarded by followers to the leader
  App: 3, // AppendEntries
  AppResp: 4,
  Vote: 5, // RequestVote
  VoteResp: 6,
  PreVote: 7,
  PreVoteResp: 8,
  Snap: 9, // InstallSnapshot (the transport streams snapshot.data in chunks)
  Heartbeat: 10,
  HeartbeatResp: 11,
  Unreachable: 12, // local: transport could not reach `from`
  SnapStatus: 13, // local: transport finished (reject=false) or failed (reject=true) a snapshot to `from`
  CheckQuorum: 14, // local: leader checks it heard from a quorum
  TransferLeader: 15, // ask the leader to hand leadership to `from`
  TimeoutNow: 16, // leader tells the transferee to start an election at once
  ReadIndex: 17, // ask for a read index; forwarded by followers to the leader
  ReadIndexResp: 18,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/**
 * A Raft message. Fields not used by a type are zero/empty. `index`/`logTerm` name the log
 * position the message is about (for App: the entry before `entries`; for AppResp: the last
 * index accepted, or the rejected index); `rejectHint`/`hintTerm` carry the follower's
 * suggestion for fast backtracking.
 */
export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  reject: boolean;
  rejectHint: number;
  hintTerm: number;
  snapshot: Snapshot | undefined;
  /** Opaque request context: the read-index request id, or a campaign-transfer marker. */
  context: Uint8Array;
}

/** Volatile state that is useful to the application (who leads, which role we play). */
export const Role = {
  Follower: 'follower',
  PreCandidate: 'pre-candidate',
  Candidate: 'candidate',
  Leader: 'leader',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export interface SoftState {
  leader: NodeId;
  role: Role;
}

/** A linearizable read may be served once the applied index reaches `index`. */
export interface ReadState {
  index: number;
  context: Uint8Array;
}

/**
 * The batch of work the core hands to its driver. The driver must, in order:
 * 1. persist `snapshot` (if any), `entries` and `hardState` durably (fsync when `mustSync`);
 * 2. send `messages`;
 * 3. apply `committedEntries` (and install `snapshot`) to the state machine;
 * 4. call `advance(ready)`.
 */
export interface Ready {
  softState: SoftState | undefined;
  hardState: HardState | undefined;
  entries: Entry[];
  snapshot: Snapshot | undefined;
  committedEntries: Entry[];
  messages: Message[];
  readStates: ReadState[];
  mustSync: boolean;
}

export function emptyMessage(type: MessageType, from: NodeId, to: NodeId, term: number): Message {
  return {
    type,
    from,
    to,
    term,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    hintTerm: 0,
    snapshot: undefined,
    context: EMPTY,
  };
}

export const EMPTY: Uint8Array = new Uint8Array(0);

export function isLocalMessage(t: MessageType): boolean {
  return (
    t === MessageType.Hup ||
    t === MessageType.Beat ||
    t === MessageType.Unreachable ||
    t === MessageType.SnapStatus ||
    t === MessageType.CheckQuorum
  );
}

export function isResponseMessage(t: MessageType): boolean {
  return (
    t === MessageType.AppResp ||
    t === MessageType.VoteResp ||
    t === MessageType.PreVoteResp ||
    t === MessageType.HeartbeatResp ||
    t === MessageType.Unreachable ||
    t === MessageType.ReadIndexResp
  );
}
