export * from './core/types.js';
export * from './core/errors.js';
export type { RaftConfig, RaftLogger } from './core/config.js';
export { Raft } from './core/raft.js';
export type { ProposeResult, RaftStatus } from './core/raft.js';
export { encodeConfChange, decodeConfChange } from './core/conf-change.js';
export type { LogStorage } from './storage/log-storage.js';
export { MemoryStorage } from './storage/memory-storage.js';
