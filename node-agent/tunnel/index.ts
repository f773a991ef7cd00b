// The agent's side of the node tunnel (contract C5): connections it opens to every API server,
// and the logs, exec and image-load streams it serves over them; plus the images directory.
export { NodeTunnels } from './node-tunnels.js';
export type { NodeTunnelsOptions } from './node-tunnels.js';
export { TunnelConnector, defaultTunnelBackoff } from './tunnel-connector.js';
export type { TunnelConnectorDeps } from './tunnel-connector.js';
export { TunnelSession, closeCodeOf } from './tunnel-session.js';
export type { TunnelSessionDeps } from './tunnel-session.js';
export { TunnelStreamError } from './stream-context.js';
export type { StreamContext, StreamResult } from './stream-context.js';
export { findContainer } from './find-container.js';
export { nodeStats, serveStats } from './serve-stats.js';
export type { StatsSources } from './serve-stats.js';
export { loadImagesDirectory, LOADED_RECORD } from './images-directory.js';
export type { ImagesDirectoryResult } from './images-directory.js';
