export type { Transport, TransportLogger } from './transport.js';
export { GrpcTransport } from './grpc-transport.js';
export type { GrpcTransportLimits, GrpcTransportOptions } from './grpc-transport-options.js';
export { DEFAULT_GRPC_TRANSPORT_LIMITS } from './grpc-transport-options.js';
export { MemoryNetwork, MemoryTransport } from './memory-transport.js';
export type { MemoryTransportOptions } from './memory-transport.js';
export { TransportError, TransportErrorCode } from './errors.js';
export { backoffDelay } from './backoff.js';
export type { BackoffPolicy } from './backoff.js';
