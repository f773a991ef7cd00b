// The agents whose tunnels are connected to THIS API server, by node name. A newer tunnel of a
// node replaces the older one (the agent reconnected before the old connection timed out).
import type { AgentTunnel } from './agent-tunnel.js';

export class TunnelRegistry {
  private readonly byNode = new Map<string, AgentTunnel>();

  get(nodeName: string): AgentTunnel | undefined {
    return this.byNode.get(nodeName);
  }

  nodes(): string[] {
    return [...this.byNode.keys()].sort();
  }

  /** Registers the tunnel; returns the one it replaced. */
  add(t: AgentTunnel): AgentTunnel | undefined {
    const old = this.byNode.get(t.nodeName);
    this.byNode.set(t.nodeName, t);
    return old === t ? undefined : old;
  }

  /** Removes the tunnel if it is still the node's current one. */
  remove(t: AgentTunnel): void {
    if (this.byNode.get(t.nodeName) === t) this.byNode.delete(t.nodeName);
  }

  all(): AgentTunnel[] {
    return [...this.byNode.values()];
  }
}
