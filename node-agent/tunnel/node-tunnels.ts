// The agent's tunnels: one per API server address it knows, so that whichever server a client
// reaches can relay to this node.
import { systemClock, systemRng } from '../../client/index.js';
import type { BackoffPolicy, ClientCredentials, Clock, Rng } from '../../client/index.js';
import type { Logger } from '../logger.js';
import type { ContainerRuntime } from '../runtime/index.js';
import { TunnelConnector } from './tunnel-connector.js';
import type { NodeUsageSource } from '../node/node-usage.js';

export interface NodeTunnelsOptions {
  readonly servers: readonly string[];
  readonly credentials: ClientCredentials;
  readonly nodeName: string;
  readonly agentVersion: string;
  readonly runtime: ContainerRuntime;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly rng?: Rng;
  readonly backoff?: BackoffPolicy;
  readonly nodeUsage?: NodeUsageSource;
}

export class NodeTunnels {
  readonly connectors: readonly TunnelConnector[];

  constructor(o: NodeTunnelsOptions) {
    if (o.servers.length === 0) throw new RangeError('node tunnels: at least one API server address is required');
    const log = o.log;
    this.connectors = [...new Set(o.servers)].map(
      (server) =>
        new TunnelConnector({
          server,
          credentials: o.credentials,
          nodeName: o.nodeName,
          agentVersion: o.agentVersion,
          runtime: o.runtime,
          clock: o.clock ?? systemClock,
          rng: o.rng ?? systemRng,
          log,
          ...(o.backoff !== undefined ? { backoff: o.backoff } : {}),
          ...(o.nodeUsage !== undefined ? { nodeUsage: o.nodeUsage } : {}),
        }),
    );
  }

  start(): this {
    for (const c of this.connectors) c.start();
    return this;
  }

  /** Servers whose tunnel is up now. */
  connected(): string[] {
    return this.connectors.filter((c) => c.connected).map((c) => c.server);
  }

  async stop(): Promise<void> {
    await Promise.all(this.connectors.map((c) => c.stop()));
  }
}
