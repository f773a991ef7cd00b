// Keeps the agent's tunnel to ONE API server open: connect, hello, serve frames until the
// connection ends, then wait a jittered backoff (bounded; reset after a tunnel that lived a
// while) and connect again, until stop(). The control plane never dials the node.
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { backoffDelay, callMetadata, channelCredentials, validateBackoff } from '../../client/index.js';
import type { BackoffPolicy, ClientCredentials, Clock, Rng } from '../../client/index.js';
import { FrameWriter } from '../../api/tunnel/index.js';
import { NodeTunnelClient } from '../../proto/gen/shoal/api/v1/tunnel.js';
import type { AgentFrame, ServerFrame } from '../../proto/gen/shoal/api/v1/tunnel.js';
import type { Logger } from '../logger.js';
import type { ContainerRuntime } from '../runtime/index.js';
import { TunnelSession } from './tunnel-session.js';
import { readNodeUsage } from '../node/node-usage.js';
import type { NodeUsageSource } from '../node/node-usage.js';

export const defaultTunnelBackoff: BackoffPolicy = { initialMs: 500, factor: 2, maxMs: 30_000, jitter: 0.5 };

export interface TunnelConnectorDeps {
  readonly server: string;
  readonly credentials: ClientCredentials;
  readonly nodeName: string;
  readonly agentVersion: string;
  readonly runtime: ContainerRuntime;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly log: Logger;
  readonly backoff?: BackoffPolicy;
  /** The node's usage for stats streams (default: systeminformation). */
  readonly nodeUsage?: NodeUsageSource;
  /** A tunnel that stayed up this long resets the backoff (default 60 s). */
  readonly stableAfterMs?: number;
}

export class TunnelConnector {
  private readonly client: NodeTunnelClient;
  private readonly stopping = new AbortController();
  private call: ClientDuplexStream<AgentFrame, ServerFrame> | undefined;
  private loop: Promise<void> | undefined;
  private connectedFlag = false;
  private readonly backoff: BackoffPolicy;
  /** Connections made so far (tests wait on it). */
  connects = 0;

  constructor(private readonly d: TunnelConnectorDeps) {
    this.backoff = d.backoff ?? defaultTunnelBackoff;
    validateBackoff(this.backoff);
    this.client = new NodeTunnelClient(d.server, channelCredentials(d.credentials), {
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 5_000,
      // A NAT that silently dropped the connection is noticed within ~40 s.
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.max_receive_message_length': 4 * 1024 * 1024,
    });
  }

  /** True while the server has welcomed this tunnel. */
  get connected(): boolean {
    return this.connectedFlag;
  }

  get server(): string {
    return this.d.server;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.call?.cancel();
    await this.loop;
    this.client.close();
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    let failures = 0;
    while (!signal.aborted) {
      const began = this.d.clock.now();
      const { welcomed, reason } = await this.connectOnce();
      if (signal.aborted) break;
      if (welcomed && this.d.clock.now() - began >= (this.d.stableAfterMs ?? 60_000)) failures = 0;
      const delay = backoffDelay(this.backoff, failures++, this.d.rng);
      this.d.log.info({ server: this.d.server, reason, retryInMs: delay }, 'node tunnel closed; reconnecting');
      await this.d.clock.sleep(delay, signal);
    }
  }

  /** One connection, until it ends. */
  private connectOnce(): Promise<{ welcomed: boolean; reason: string }> {
    return new Promise((resolve) => {
      const call = this.client.connect(callMetadata(this.d.credentials));
      this.call = call;
      const writer = new FrameWriter<AgentFrame>(call);
      let welcomed = false;
      let ended = false;
      const session = new TunnelSession({
        runtime: this.d.runtime,
        nodeName: this.d.nodeName,
        log: this.d.log,
        nodeUsage: this.d.nodeUsage ?? readNodeUsage,
        now: () => this.d.clock.now(),
        write: (f) => writer.write(f),
        abortTunnel: (reason) => {
          this.d.log.warn({ server: this.d.server, reason }, 'tunnel protocol error; reconnecting');
          call.cancel();
        },
      });
      const done = (reason: string): void => {
        if (ended) return;
        ended = true;
        this.connectedFlag = false;
        writer.stop();
        session.broken();
        resolve({ welcomed, reason });
      };
      call.on('data', (f: ServerFrame) => {
        if (f.welcome !== undefined) {
          welcomed = true;
          this.connectedFlag = true;
          this.connects++;
          this.d.log.info({ server: this.d.server, serverName: f.welcome.serverName }, 'node tunnel connected');
          return;
        }
        session.handle(f);
      });
      call.on('error', (e: Error) => done(e.message));
      call.on('end', () => done('the server ended the tunnel'));
      call.on('close', () => done('closed'));
      void writer.write({ streamId: 0, hello: { nodeName: this.d.nodeName, agentVersion: this.d.agentVersion } });
    });
  }
}
