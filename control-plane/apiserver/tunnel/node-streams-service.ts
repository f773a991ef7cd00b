// shoal.api.v1.NodeStreams: logs, exec, image load and node stats for clients, relayed into the node's tunnel.
// Each call is authenticated and authorized like any API request (get pods/log, create pods/exec,
// create nodes/images, get nodes/stats), then the pod's node is looked up and its tunnel must be connected to THIS
// server; otherwise UNAVAILABLE names the node (clients try the next API server).
// Backpressure: the client call's gRPC flow control on one side, the stream's tunnel credit on the
// other — credit for agent output is returned only once the client call has drained, and the
// client's input is paused while the stream waits for credit.
import type { sendUnaryData, ServerDuplexStream, ServerReadableStream, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { KubeObject } from '../../../api/kind.js';
import { Channel, CloseCode } from '../../../api/tunnel/index.js';
import type {
  ContainerRef,
  ExecInput,
  ExecOutput,
  ImageLoadChunk,
  ImageLoadResult,
  LogChunk,
  NodeStatsReply,
  NodeStatsRequest,
  NodeStreamsServer,
  PodLogsRequest,
  StreamClose,
} from '../../../proto/gen/shoal/api/v1/tunnel.js';
import { authInput, toServiceError } from '../api-service.js';
import { ApiError, Code } from '../errors.js';
import type { KindLookup } from '../kinds.js';
import type { Authenticator } from '../pipeline/authentication.js';
import type { Authorizer } from '../pipeline/authorization.js';
import { authorize } from '../pipeline/authorization.js';
import type { Registry } from '../registry/registry.js';
import type { RequestAttributes, Verb } from '../request.js';
import { FrameWriter } from '../../../api/tunnel/index.js';
import type { AgentTunnel } from './agent-tunnel.js';
import type { TunnelRegistry } from './tunnel-registry.js';

export interface NodeStreamsServiceDeps {
  readonly kinds: KindLookup;
  readonly registry: Registry;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly tunnels: TunnelRegistry;
  readonly serverName: string;
  readonly log: Logger;
}

interface PodShape {
  readonly metadata: { readonly uid?: string };
  readonly spec?: { readonly nodeName?: string; readonly containers?: readonly { name: string }[]; readonly initContainers?: readonly { name: string }[] };
}

type AnyCall = Parameters<typeof authInput>[0];

/** The pod's container a request means: the named one, or the only one. Kubernetes' wording. */
export function chooseContainer(podName: string, pod: PodShape, container: string): string {
  const app = (pod.spec?.containers ?? []).map((c) => c.name);
  const all = [...app, ...(pod.spec?.initContainers ?? []).map((c) => c.name)];
  if (container !== '') {
    if (!all.includes(container)) throw new ApiError(Code.INVALID_ARGUMENT, `container ${container} is not valid for pod ${podName}; choose one of: [${all.join(' ')}]`);
    return container;
  }
  if (app.length === 1) return app[0]!;
  throw new ApiError(Code.INVALID_ARGUMENT, `a container name must be specified for pod ${podName}, choose one of: [${all.join(' ')}]`);
}

export function streamCloseError(c: StreamClose): ApiError {
  return new ApiError((c.code === 0 ? Code.INTERNAL : c.code) as Code, c.message !== '' ? c.message : `the node ended the stream with code ${c.code}`);
}

export class NodeStreamsService {
  constructor(private readonly d: NodeStreamsServiceDeps) {}

  readonly implementation: NodeStreamsServer = {
    podLogs: (call: ServerWritableStream<PodLogsRequest, LogChunk>) => this.podLogs(call),
    podExec: (call: ServerDuplexStream<ExecInput, ExecOutput>) => this.podExec(call),
    imageLoad: (call: ServerReadableStream<ImageLoadChunk, ImageLoadResult>, callback: sendUnaryData<ImageLoadResult>) => this.imageLoad(call, callback),
    nodeStats: (call: ServerUnaryCall<NodeStatsRequest, NodeStatsReply>, callback: sendUnaryData<NodeStatsReply>) => this.nodeStats(call, callback),
  };

  private async admit(call: AnyCall, verb: Verb, resource: string, subresource: string, namespace: string, name: string): Promise<void> {
    const user = await this.d.authenticator.authenticate(authInput(call));
    // The API group and selectors of RequestAttributes (added with the security work) are "" here.
    const extra = { apiGroup: '', labelSelector: '', fieldSelector: '' };
    const attrs: RequestAttributes = { ...extra, user, verb, resource, subresource, namespace, name, dryRun: false };
    await authorize(this.d.authorizer, attrs);
  }

  /** Authorizes, reads the pod and finds its node's tunnel here. */
  private async target(call: AnyCall, verb: Verb, subresource: string, namespace: string, name: string, container: string): Promise<{ tunnel: AgentTunnel; ref: ContainerRef }> {
    if (namespace === '' || name === '') throw new ApiError(Code.INVALID_ARGUMENT, 'namespace and pod name are required');
    await this.admit(call, verb, 'pods', subresource, namespace, name);
    const kind = this.d.kinds.byResource('pods');
    if (kind === undefined) throw new ApiError(Code.NOT_FOUND, 'this server does not serve pods');
    const system = { user: { name: 'system:apiserver', groups: ['system:masters'] }, verb: 'get' as const, resource: 'pods', subresource: '', namespace, name, dryRun: false };
    const pod = (await this.d.registry.get({ ...{ apiGroup: '', labelSelector: '', fieldSelector: '' }, ...system }, kind, namespace, name)) as KubeObject & PodShape;
    const nodeName = pod.spec?.nodeName ?? '';
    if (nodeName === '') throw new ApiError(Code.FAILED_PRECONDITION, `pod ${name} is not scheduled to a node yet: no logs or exec before it runs`);
    const chosen = chooseContainer(name, pod, container);
    return { tunnel: this.tunnelOf(nodeName), ref: { namespace, podName: name, podUid: pod.metadata.uid ?? '', container: chosen } };
  }

  private tunnelOf(nodeName: string): AgentTunnel {
    const t = this.d.tunnels.get(nodeName);
    if (t === undefined) throw new ApiError(Code.UNAVAILABLE, `node "${nodeName}" has no tunnel to this API server (${this.d.serverName}): its agent is not connected here; try another API server or check the agent`);
    return t;
  }

  private fail(e: unknown, what: string): ApiError {
    if (e instanceof ApiError) return e;
    this.d.log.error({ err: (e as Error)?.stack ?? String(e), what }, 'internal error');
    return new ApiError(Code.INTERNAL, `internal error: ${(e as Error)?.message ?? String(e)}`);
  }

  private podLogs(call: ServerWritableStream<PodLogsRequest, LogChunk>): void {
    const r = call.request;
    const writer = new FrameWriter<LogChunk>(call);
    let finished = false;
    const finish = (e: ApiError | undefined): void => {
      if (finished) return;
      finished = true;
      if (e !== undefined) call.emit('error', toServiceError(e));
      else call.end();
    };
    this.target(call, 'get', 'log', r.namespace, r.name, r.container).then(
      ({ tunnel, ref }) => {
        if (finished || call.cancelled) return;
        const stream = tunnel.open(
          { logs: { target: ref, follow: r.follow, previous: r.previous, tailLines: r.tailLines, timestamps: r.timestamps } },
          {
            data: (d) => writer.write({ data: d.data }),
            close: (c) => finish(c.code === CloseCode.ok ? undefined : streamCloseError(c)),
          },
        );
        call.on('cancelled', () => {
          finished = true;
          stream.cancel('the client went away');
        });
      },
      (e: unknown) => finish(this.fail(e, 'pod logs')),
    );
  }

  private podExec(call: ServerDuplexStream<ExecInput, ExecOutput>): void {
    const writer = new FrameWriter<ExecOutput>(call);
    let finished = false;
    let stream: ReturnType<AgentTunnel['open']> | undefined;
    const finish = (e: ApiError | undefined, exitCode?: number): void => {
      if (finished) return;
      finished = true;
      if (e !== undefined) return void call.emit('error', toServiceError(e));
      void writer.write({ exitCode: exitCode ?? 0 }).then(() => call.end());
    };
    // Inputs are handled one at a time; the call is paused while one waits for tunnel credit.
    let chain = Promise.resolve();
    const input = async (m: ExecInput): Promise<void> => {
      if (stream === undefined) {
        const s = m.start;
        if (s === undefined) throw new ApiError(Code.INVALID_ARGUMENT, 'the first message of an exec must be start');
        if (s.command.length === 0) throw new ApiError(Code.INVALID_ARGUMENT, 'exec needs a command');
        const { tunnel, ref } = await this.target(call, 'create', 'exec', s.namespace, s.name, s.container);
        if (finished) return;
        stream = tunnel.open(
          { exec: { target: ref, command: [...s.command], stdin: s.stdin, tty: s.tty, size: s.size ?? { cols: 0, rows: 0 } } },
          {
            started: () => void writer.write({ ready: true }),
            data: (d) => writer.write(d.channel === Channel.stderr ? { stderr: d.data } : { stdout: d.data }),
            close: (c) => (c.code === CloseCode.ok ? finish(undefined, c.exitCode) : finish(streamCloseError(c))),
          },
        );
        return;
      }
      if (m.stdin !== undefined) await stream.send(m.stdin);
      else if (m.stdinEof === true) await stream.sendEof();
      else if (m.resize !== undefined) stream.resize(m.resize);
    };
    call.on('data', (m: ExecInput) => {
      call.pause();
      chain = chain
        .then(() => input(m))
        .catch((e: unknown) => {
          stream?.cancel('exec failed on the API server');
          finish(this.fail(e, 'pod exec'));
        })
        .finally(() => call.resume());
    });
    // The client half-closed: no more stdin.
    call.on('end', () => {
      chain = chain.then(() => stream?.sendEof());
    });
    call.on('cancelled', () => {
      finished = true;
      stream?.cancel('the client went away');
    });
  }

  private imageLoad(call: ServerReadableStream<ImageLoadChunk, ImageLoadResult>, callback: sendUnaryData<ImageLoadResult>): void {
    let finished = false;
    let node = '';
    let bytes = 0;
    let stream: ReturnType<AgentTunnel['open']> | undefined;
    const finish = (e: ApiError | undefined, images: readonly string[] = []): void => {
      if (finished) return;
      finished = true;
      if (e !== undefined) callback(toServiceError(e));
      else callback(null, { node, images: [...images], bytes });
    };
    let chain = Promise.resolve();
    const input = async (m: ImageLoadChunk): Promise<void> => {
      if (stream === undefined) {
        node = m.node;
        if (node === '') throw new ApiError(Code.INVALID_ARGUMENT, 'the first chunk of an image load names the node');
        await this.admit(call, 'create', 'nodes', 'images', '', node);
        const tunnel = this.tunnelOf(node);
        if (finished) return;
        stream = tunnel.open(
          { imageLoad: { sizeBytes: m.sizeBytes } },
          { data: () => undefined, close: (c) => finish(c.code === CloseCode.ok ? undefined : streamCloseError(c), c.images) },
        );
      }
      if (m.data.length > 0) {
        bytes += m.data.length;
        await stream.send(m.data);
      }
    };
    call.on('data', (m: ImageLoadChunk) => {
      call.pause();
      chain = chain
        .then(() => input(m))
        .catch((e: unknown) => {
          stream?.cancel('image load failed on the API server');
          finish(this.fail(e, 'image load'));
        })
        .finally(() => call.resume());
    });
    call.on('end', () => {
      chain = chain.then(async () => {
        if (stream === undefined) return finish(new ApiError(Code.INVALID_ARGUMENT, 'an image load needs a first chunk naming the node'));
        await stream.sendEof();
      });
    });
    call.on('cancelled', () => {
      finished = true;
      stream?.cancel('the client went away');
    });
  }

  /** The node's and its pods' usage, measured by its agent (get nodes/stats). */
  private nodeStats(call: ServerUnaryCall<NodeStatsRequest, NodeStatsReply>, callback: sendUnaryData<NodeStatsReply>): void {
    const node = call.request.node;
    let finished = false;
    const finish = (e: ApiError | undefined, stats?: NodeStatsReply): void => {
      if (finished) return;
      finished = true;
      if (e !== undefined) callback(toServiceError(e));
      else callback(null, stats);
    };
    (async () => {
      if (node === '') throw new ApiError(Code.INVALID_ARGUMENT, 'node stats need a node name');
      await this.admit(call, 'get', 'nodes', 'stats', '', node);
      const stream = this.tunnelOf(node).open(
        { stats: {} },
        {
          data: () => undefined,
          close: (c) => {
            if (c.code !== CloseCode.ok) return finish(streamCloseError(c));
            if (c.stats === undefined) return finish(new ApiError(Code.INTERNAL, `node "${node}" answered the stats request without stats`));
            finish(undefined, c.stats);
          },
        },
      );
      call.on('cancelled', () => {
        finished = true;
        stream.cancel('the client went away');
      });
    })().catch((e: unknown) => finish(this.fail(e, 'node stats')));
  }
}
