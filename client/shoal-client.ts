// The entry point: one Connection (servers, credentials, failover, retries) and typed access to
// every resource and to the cluster-level calls.
import type { KubeObject } from '../api/kind.js';
import type { ApiResource, ComponentStatus, Member, VersionResponse } from '../proto/gen/shoal/api/v1/api.js';
import { Connection, unary } from './connection.js';
import type { CallOptionsIn, ConnectionOptions } from './connection.js';
import { Informer } from './informer.js';
import { PodStreams } from './pod-streams.js';
import type { InformerOptions } from './informer.js';
import { ResourceClient } from './resource-client.js';
import type { InputOf, ObjectOf, ResourceName } from './resource-types.js';

export type { ApiResource, ComponentStatus, Member, VersionResponse };

export interface ShoalClientOptions extends ConnectionOptions {
  /** Namespace for resource() when none is given (e.g. the config's current namespace). */
  readonly namespace?: string;
}

export class ShoalClient {
  readonly connection: Connection;
  /** Default namespace of resource(); undefined = all namespaces / cluster-scoped. */
  readonly namespace: string | undefined;
  /** Logs, exec and image load (relayed to the node's agent through its tunnel). */
  readonly streams: PodStreams;

  constructor(options: ShoalClientOptions) {
    this.connection = new Connection(options);
    this.namespace = options.namespace;
    this.streams = new PodStreams(this.connection);
  }

  /**
   * Typed access to one resource: `client.resource('pods', 'default')` is a ResourceClient<Pod>
   * (any resource of api/; others as `client.resource<MyKind>('mykinds')`). Without a namespace
   * argument the client's default namespace applies; pass "" for cluster-scoped resources or
   * all namespaces.
   */
  resource<R extends ResourceName>(resource: R, namespace?: string): ResourceClient<ObjectOf<R>, InputOf<R>>;
  resource<T extends KubeObject = KubeObject>(resource: string, namespace?: string): ResourceClient<T>;
  resource(resource: string, namespace?: string): ResourceClient {
    const ns = namespace ?? this.namespace;
    return new ResourceClient(this.connection, resource, ns === '' ? undefined : ns);
  }

  /**
   * A cache of one resource kept in step by list+watch (not started: add handlers, then start()).
   * options.namespace scopes it; without one it follows the client's default namespace, "" = all.
   */
  informer<R extends ResourceName>(resource: R, options?: InformerOptions<ObjectOf<R>>): Informer<ObjectOf<R>>;
  informer<T extends KubeObject = KubeObject>(resource: string, options?: InformerOptions<T>): Informer<T>;
  informer(resource: string, options: InformerOptions<KubeObject> = {}): Informer<KubeObject> {
    return new Informer(this.resource(resource, options.namespace), options);
  }

  /** The kinds the server serves. */
  async discovery(opts: CallOptionsIn = {}): Promise<ApiResource[]> {
    return this.connection.call('idempotent', async (ctx) => (await unary(ctx.api.discovery.bind(ctx.api), {}, ctx)).resources, opts);
  }

  async version(opts: CallOptionsIn = {}): Promise<VersionResponse> {
    return this.connection.call('idempotent', (ctx) => unary(ctx.cluster.version.bind(ctx.cluster), {}, ctx), opts);
  }

  async componentStatuses(opts: CallOptionsIn = {}): Promise<ComponentStatus[]> {
    return this.connection.call('idempotent', async (ctx) => (await unary(ctx.cluster.componentStatuses.bind(ctx.cluster), {}, ctx)).components, opts);
  }

  async members(opts: CallOptionsIn = {}): Promise<Member[]> {
    return this.connection.call('idempotent', async (ctx) => (await unary(ctx.cluster.members.bind(ctx.cluster), {}, ctx)).members, opts);
  }

  /** Closes every channel; calls in flight are cancelled, watches and informers stop. */
  close(): void {
    this.connection.close();
  }
}
