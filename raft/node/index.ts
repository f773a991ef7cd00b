// The Raft node driver: runs a Raft core with real storage, transport and timers.
export { RaftNode, NodeState } from './raft-node.js';
export type { CoreOptions, LeaderChange, NodeLogger, NodeStatus, RaftNodeOptions, RequestOptions, StateMachine } from './raft-node.js';
export { NodeError, NodeErrorCode } from './errors.js';
export { MemoryNodeStorage, bootstrapIfEmpty } from './node-storage.js';
export type { NodeStorage, PersistBatch } from './node-storage.js';
export type { NodeTransport } from './node-transport.js';
