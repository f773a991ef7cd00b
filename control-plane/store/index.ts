// The cluster store: an etcd v3 compatible replicated key-value store on Shoal's Raft.
export { StoreMember } from './member.js';
export type { StoreMemberHooks } from './member.js';
export { loadConfig, ConfigError, USAGE } from './config.js';
export type { StoreConfig } from './config.js';
export { createLogger } from './logger.js';
export type { Logger } from './logger.js';
export { memberIdOf, clusterIdOf, hexId } from './member-id.js';
export { StoreStateMachine } from './apply/store-state-machine.js';
export type { AppliedEntry, ApplyResult, StoreResponse } from './apply/store-state-machine.js';
export { StoreError, STORE_ERRORS } from './store-error.js';
export type { StoreErrorCode } from './store-error.js';
export type { ServiceContext } from './server/service-context.js';
export { CLIENT_TLS_FLAGS, PEER_TLS_FLAGS, loadTlsMaterial, serverCredentials, channelCredentials, urlDialer, TlsError } from './tls.js';
export type { Dialer, TlsMaterial, TlsSettings } from './tls.js';
