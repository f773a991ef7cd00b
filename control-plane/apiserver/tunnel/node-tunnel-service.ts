// shoal.api.v1.NodeTunnel: agents open Connect and keep it open; this server registers the tunnel
// under the node's name until it ends. Identity rule: the caller must be the node itself
// (system:node:<name>, group system:nodes), or an admin (group system:masters — which is everyone
// in dev mode, where the API server runs without authentication).
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { AgentFrame, NodeTunnelServer, ServerFrame, TunnelHello } from '../../../proto/gen/shoal/api/v1/tunnel.js';
import { authInput, toServiceError } from '../api-service.js';
import { ApiError, Code } from '../errors.js';
import type { Authenticator } from '../pipeline/authentication.js';
import { checkSegment } from '../registry/keys.js';
import { Groups, nodeNameOf } from '../security/index.js';
import { AgentTunnel } from './agent-tunnel.js';
import type { TunnelRegistry } from './tunnel-registry.js';

export interface NodeTunnelServiceDeps {
  readonly tunnels: TunnelRegistry;
  readonly authenticator: Authenticator;
  /** Sent to the agent in the welcome, for its logs. */
  readonly serverName: string;
  readonly log: Logger;
  /** How long an agent has to send its hello (default 10 s). */
  readonly helloTimeoutMs?: number;
}

export class NodeTunnelService {
  private closing = false;

  constructor(private readonly d: NodeTunnelServiceDeps) {}

  readonly implementation: NodeTunnelServer = {
    connect: (call: ServerDuplexStream<AgentFrame, ServerFrame>) => this.connect(call),
  };

  /** Ends every tunnel (the agents reconnect to another API server or to this one when it is back). */
  close(): void {
    this.closing = true;
    for (const t of this.d.tunnels.all()) {
      this.d.tunnels.remove(t);
      t.fail('the API server is shutting down');
    }
  }

  private connect(call: ServerDuplexStream<AgentFrame, ServerFrame>): void {
    let tunnel: AgentTunnel | undefined;
    let helloSeen = false;
    let done = false;
    const refuse = (e: ApiError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      call.emit('error', toServiceError(e));
    };
    const timer = setTimeout(() => refuse(new ApiError(Code.DEADLINE_EXCEEDED, 'no hello frame within the deadline: the first frame of a tunnel names the node')), this.d.helloTimeoutMs ?? 10_000);
    const gone = (reason: string): void => {
      done = true;
      clearTimeout(timer);
      if (tunnel === undefined) return;
      this.d.tunnels.remove(tunnel);
      tunnel.broken(reason);
      this.d.log.info({ node: tunnel.nodeName, reason }, 'node tunnel disconnected');
    };
    call.on('data', (frame: AgentFrame) => {
      if (tunnel !== undefined) return tunnel.handle(frame);
      if (helloSeen || done) return;
      if (frame.hello === undefined) return refuse(new ApiError(Code.INVALID_ARGUMENT, 'the first frame of a tunnel must be hello (the node name)'));
      helloSeen = true;
      call.pause();
      this.admit(call, frame.hello).then(
        (nodeName) => {
          if (done) return;
          clearTimeout(timer);
          if (this.closing) return refuse(new ApiError(Code.UNAVAILABLE, 'the API server is shutting down; connect to another one'));
          const t = new AgentTunnel(nodeName, call, this.d.log);
          tunnel = t;
          const old = this.d.tunnels.add(t);
          old?.fail(`replaced by a newer tunnel of node "${nodeName}"`, Code.ABORTED);
          void t.write({ streamId: 0, welcome: { serverName: this.d.serverName } });
          this.d.log.info({ node: nodeName, agent: frame.hello?.agentVersion, peer: call.getPeer() }, 'node tunnel connected');
          call.resume();
        },
        (e: unknown) => refuse(e instanceof ApiError ? e : new ApiError(Code.INTERNAL, `tunnel admission failed: ${(e as Error)?.message ?? String(e)}`)),
      );
    });
    call.on('end', () => {
      gone('the agent closed it');
      call.end();
    });
    call.on('cancelled', () => gone('cancelled'));
    call.on('error', (e: Error) => gone(e.message));
  }

  private async admit(call: ServerDuplexStream<AgentFrame, ServerFrame>, hello: TunnelHello): Promise<string> {
    const user = await this.d.authenticator.authenticate(authInput(call));
    const name = hello.nodeName;
    if (name === '') throw new ApiError(Code.INVALID_ARGUMENT, 'hello.node_name is required');
    checkSegment('name', name);
    if (nodeNameOf(user) === name || user.groups.includes(Groups.masters)) return name;
    throw new ApiError(Code.PERMISSION_DENIED, `user "${user.name}" may not open the tunnel of node "${name}": only the node itself (system:node:${name}) may`);
  }
}
