// The API server's side of the node tunnel (contract C5): the registry of connected agents, the
// NodeTunnel service agents connect to, and the NodeStreams service clients call.
export { AgentTunnel, TunnelStream } from './agent-tunnel.js';
export type { StreamHandlers } from './agent-tunnel.js';
export { TunnelRegistry } from './tunnel-registry.js';
export { NodeTunnelService } from './node-tunnel-service.js';
export type { NodeTunnelServiceDeps } from './node-tunnel-service.js';
export { NodeStreamsService, chooseContainer, streamCloseError } from './node-streams-service.js';
export type { NodeStreamsServiceDeps } from './node-streams-service.js';
