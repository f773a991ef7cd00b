// The API server: the Api and Cluster gRPC services plus grpc.health.v1.Health on a gRPC port,
// and /livez, /readyz, /metrics on an HTTP port. It is the only component that talks to the
// store, through the Storage seam (an etcd v3 client, or the in-memory twin in tests).
//
//   const server = new ApiServer({ storage, clock, log, options });
//   const { grpcPort, httpPort } = await server.listen({ grpc: '127.0.0.1:0', http: '127.0.0.1:0' });
//   ...
//   await server.close();
//
// At start it creates the system namespaces (default, kube-system, kube-public) if missing; it
// reports ready (gRPC health SERVING, /readyz 200) once that is done and the store answers.
import { hostname } from 'node:os';
import { DEFAULT_MAX_REQUEST_BYTES } from '../store/config.js';
import { Server as GrpcServer, ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { KindDefinition, KubeObject } from '../../api/kind.js';
import { registry as kindRegistry } from '../../api/index.js';
import { ApiService as ApiServiceDefinition, ClusterService as ClusterServiceDefinition } from '../../proto/gen/shoal/api/v1/api.js';
import { HealthService as HealthServiceDefinition } from '../../proto/gen/grpc/health/v1/health.js';
import { NodeStreamsService as NodeStreamsServiceDefinition, NodeTunnelService as NodeTunnelServiceDefinition } from '../../proto/gen/shoal/api/v1/tunnel.js';
import { StoreLookups } from './admission/admission-lookups.js';
import { AllocationRepair, AllocatorError, ipAt, KUBERNETES_SERVICE_OFFSET, parseServiceRanges, ServiceAllocation, serviceAllocators } from './allocation/index.js';
import { SystemAccess } from './system-access.js';
import { KubernetesServiceReconciler } from './kubernetes-service.js';
import type { ServiceAllocators, ServiceRanges } from './allocation/index.js';
import { defaultAdmissionChain } from './admission/default-chain.js';
import type { DefaultTolerationSecondsOptions } from './admission/default-toleration-seconds.js';
import { SYSTEM_NAMESPACES } from './admission/namespace-lifecycle.js';
import { ApiService } from './api-service.js';
import type { CsrSigner } from './certificates/index.js';
import type { AuditSink } from './api-service.js';
import type { Clock, RandomSource } from './clock.js';
import { cryptoRandom, timestamp } from './clock.js';
import { ClusterService } from './cluster-service.js';
import type { ClusterCall } from './cluster-service.js';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { authInput } from './api-service.js';
import type { RequestAttributes as SecurityAttributes } from './security/index.js';
import { forbiddenMessage, resourceRequest } from './security/index.js';
import { ClusterSecurity } from './cluster-security.js';
import type { ClusterSecurityOptions } from './cluster-security.js';
import { ApiError, Code } from './errors.js';
import { HealthService } from './health.js';
import { createHttpServer } from './http-server.js';
import type { Server as HttpServer } from './http-server.js';
import type { KindLookup } from './kinds.js';
import { kindLookup } from './kinds.js';
import { ApiMetrics } from './metrics.js';
import type { MutatingAdmissionPlugin, ValidatingAdmissionPlugin } from './pipeline/admission.js';
import type { Authenticator } from './pipeline/authentication.js';
import { anonymousAdmin } from './pipeline/authentication.js';
import type { Authorizer } from './pipeline/authorization.js';
import { alwaysAllow } from './pipeline/authorization.js';
import { decodeStored } from './registry/codec.js';
import { objectKey } from './registry/keys.js';
import type { ValueTransformer } from './registry/value-transformer.js';
import { identityTransformer } from './registry/value-transformer.js';
import { Registry } from './registry/registry.js';
import type { RequestAttributes } from './request.js';
import type { Storage } from './storage/storage.js';
import type { StoreStatus } from './store-status.js';
import { timedStorage } from './timed-storage.js';
import { NodeStreamsService, NodeTunnelService, TunnelRegistry } from './tunnel/index.js';
import type { VersionInfo } from './version.js';
import { readVersionInfo } from './version.js';
import { WatchCaches } from './watch-caches.js';

/** The store's default --max-request-bytes: an object must fit in one store request. */
export { DEFAULT_MAX_REQUEST_BYTES };

export interface ApiServerOptions {
  /** The kinds served (default: every kind in api/). */
  readonly kinds?: KindLookup;
  /** Shown as "api-server-<name>" in component statuses (default: the host name). */
  readonly name?: string;
  /** Largest request body (default 1.5 MiB); a bigger one gets RESOURCE_EXHAUSTED. */
  readonly maxRequestBytes?: number;
  /** Largest stored object in bytes of JSON (default: maxRequestBytes - 64 KiB, below the store's request limit). */
  readonly maxObjectBytes?: number;
  /** How often the store is asked for progress while watches with allow_bookmarks exist; each
   * progress becomes a BOOKMARK (default 5 s). */
  readonly bookmarkIntervalMs?: number;
  /** Events a slow watcher may have undelivered before its watch is ended (default 10000). */
  readonly maxQueuedWatchEvents?: number;
  /** The store's members for Members/ComponentStatuses (absent with in-memory storage). */
  readonly storeStatus?: StoreStatus;
  /** Stage 1 (default: everyone is an anonymous admin). */
  readonly authenticator?: Authenticator;
  /** Stage 2 (default: always allow). */
  readonly authorizer?: Authorizer;
  /** Stage 3: plugins added after the built-in ones (NamespaceLifecycle). */
  readonly mutatingAdmission?: readonly MutatingAdmissionPlugin[];
  readonly validatingAdmission?: readonly ValidatingAdmissionPlugin[];
  /** Cluster security (issue 5): client certificates and tokens, Node+RBAC or AlwaysAllow,
   * the default RBAC policy. Supplies authenticator and authorizer unless those are given. */
  readonly security?: ClusterSecurityOptions;
  /** gRPC port credentials (default insecure; tlsServerCredentials() for TLS). */
  /** DefaultTolerationSeconds admission: seconds added for not-ready/unreachable (default 300 each). */
  readonly defaultTolerationSeconds?: DefaultTolerationSecondsOptions;
  readonly credentials?: ServerCredentials;
  /** Bytes to and from the store per resource (encryption at rest, issue 5); identity by default. */
  readonly transformer?: ValueTransformer;
  /** The cluster signing CA for CertificateSigningRequests (--api-cluster-signing-*-file; see certificates/loadCsrSigner). */
  readonly csrSigner?: CsrSigner;
  /** Approve node CSRs at create by contract C4's rule (default true). */
  readonly csrAutoApprove?: boolean;
  /** Called once per finished unary API request (who, what, outcome, latency): the audit log's seam. */
  readonly audit?: AuditSink;
  readonly version?: VersionInfo;
  readonly random?: RandomSource;
  /** Node's process metrics on /metrics (default true; one per process). */
  readonly processMetrics?: boolean;
  /** Service cluster IP and node port ranges (--service-cluster-ip-range, --service-node-port-range;
   * default 10.96.0.0/12 and 30000-32767). Every API server of a cluster must use the same. */
  readonly serviceRanges?: ServiceRanges;
  /** How often the service allocation repair loop runs (default 60 s; 0 = never, tests call runOnce). */
  readonly serviceRepairIntervalMs?: number;
  /** Keep the `kubernetes` Service and its Endpoints (this server's advertise address, its port
   * by default the bound gRPC port; a lease per API server in kube-system). Absent = not kept. */
  readonly kubernetesService?: { readonly advertiseIp: string; readonly port?: number; readonly intervalMs?: number; readonly leaseSeconds?: number };
}

export interface ApiServerDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly log: Logger;
  readonly options?: ApiServerOptions;
}

export interface ListenAddresses {
  /** host:port of the gRPC API (port 0 = any free port). */
  readonly grpc: string;
  /** host:port of /livez, /readyz, /metrics (optional). */
  readonly http?: string;
}

export interface BoundPorts {
  readonly grpcPort: number;
  readonly httpPort: number | undefined;
}

/** The one user the server acts as for its own writes (system namespaces). */
const SYSTEM_ATTRS = { user: { name: 'system:apiserver', groups: ['system:masters'] }, apiGroup: '', resource: 'namespaces', subresource: '', namespace: '', name: '', dryRun: false, labelSelector: '', fieldSelector: '' } as const;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ApiServer {
  readonly metrics: ApiMetrics;
  readonly kinds: KindLookup;
  private readonly watchCaches: WatchCaches;
  private readonly transformer: ValueTransformer;
  readonly registry: Registry;
  /** The Services' cluster IP and node port allocation state in the store. */
  readonly serviceAllocators: ServiceAllocators;
  /** Finds leaked and unmarked cluster IPs and node ports (allocation/allocation-repair.ts). */
  readonly allocationRepair: AllocationRepair;
  private readonly system: SystemAccess;
  /** Set by listen() when options.kubernetesService is given. */
  kubernetesService: KubernetesServiceReconciler | undefined;
  private readonly storage: Storage;
  private readonly log: Logger;
  private readonly health = new HealthService(['shoal.api.v1.Api', 'shoal.api.v1.Cluster']);
  private readonly api: ApiService;
  /** Present when options.security is set. */
  readonly security: ClusterSecurity | undefined;
  private readonly cluster: ClusterService;
  /** Agents whose tunnels are connected to this server (logs, exec, image load). */
  readonly tunnels = new TunnelRegistry();
  private readonly nodeTunnel: NodeTunnelService;
  private readonly grpc: GrpcServer;
  private http: HttpServer | undefined;
  private bootstrapped = false;
  private closed = false;
  private readyPromise: Promise<void> | undefined;

  constructor(private readonly deps: ApiServerDeps) {
    const o = deps.options ?? {};
    this.kinds = o.kinds ?? kindLookup(kindRegistry.kinds);
    this.transformer = o.transformer ?? identityTransformer;
    this.log = deps.log.child({ component: 'apiserver' });
    this.metrics = new ApiMetrics(o.processMetrics ?? true);
    this.storage = timedStorage(deps.storage, this.metrics.storeDuration);
    const maxRequestBytes = o.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    const namespaces = this.kinds.byResource('namespaces');
    this.security = o.security === undefined ? undefined : new ClusterSecurity(o.security, { clock: deps.clock, log: this.log, kinds: this.kinds });
    this.serviceAllocators = serviceAllocators(this.storage, o.serviceRanges ?? parseServiceRanges(), (o.random ?? cryptoRandom).uuid());
    this.registry = new Registry({
      storage: this.storage,
      clock: deps.clock,
      random: o.random ?? cryptoRandom,
      admission: defaultAdmissionChain({
        // A live read, not the watch cache: a namespace that just became Terminating on another API
        // server must refuse new content here too.
        getNamespace: namespaces !== undefined ? (name) => this.readObject(namespaces, '', name) : undefined,
        certificates: { signer: o.csrSigner, clock: deps.clock, log: this.log, ...(o.csrAutoApprove !== undefined ? { autoApprove: o.csrAutoApprove } : {}) },
        // LimitRanges, ResourceQuotas, ServiceAccounts: from the watch caches (built below), live where the quota needs it.
        lookups: new StoreLookups({ storage: this.storage, transformer: this.transformer, kinds: this.kinds, caches: () => this.watchCaches }),
        defaultTolerationSeconds: o.defaultTolerationSeconds,
        extraMutating: o.mutatingAdmission,
        extraValidating: o.validatingAdmission,
        ...(this.security?.rbac !== undefined ? { rbac: this.security.rbac } : {}),
        serviceAllocation: new ServiceAllocation(this.serviceAllocators, this.log),
      }),
      onEffectError: (e) => this.log.warn({ err: (e as Error)?.message ?? String(e) }, 'an admission side effect could not be undone or finished'),
      maxObjectBytes: o.maxObjectBytes ?? maxRequestBytes - 64 * 1024,
      transformer: this.transformer,
    });
    this.system = new SystemAccess(this.registry, this.kinds);
    this.allocationRepair = new AllocationRepair({
      allocators: this.serviceAllocators,
      listServices: () => this.system.list('services'),
      warn: (service, reason, message) => this.system.warn('apiserver', service, reason, message, timestamp(deps.clock.now())),
      log: this.log,
    });
    this.watchCaches = new WatchCaches({
      storage: this.storage,
      kinds: this.kinds.all(),
      log: this.log,
      progressIntervalMs: o.bookmarkIntervalMs ?? 5000,
      maxPending: o.maxQueuedWatchEvents ?? 10_000,
      transformer: this.transformer,
    });
    this.api = new ApiService({
      kinds: this.kinds,
      registry: this.registry,
      authenticator: o.authenticator ?? this.security?.authenticator ?? anonymousAdmin,
      authorizer: o.authorizer ?? this.security?.authorizer ?? alwaysAllow,
      ...(this.security !== undefined ? { access: this.security } : {}),
      metrics: this.metrics,
      log: this.log,
      maxRequestBytes,
      watchCaches: this.watchCaches,
      audit: o.audit,
    });
    const leases = this.kinds.byResource('leases');
    this.cluster = new ClusterService({
      version: o.version ?? readVersionInfo(),
      storeStatus: o.storeStatus,
      storePing: async () => {
        await this.storage.currentRevision();
      },
      getLease: (name) => (leases === undefined ? Promise.resolve(undefined) : this.readObject(leases, 'kube-system', name)),
      serverName: o.name ?? hostname(),
      clock: deps.clock,
      log: this.log,
      ...(this.security !== undefined ? { guard: (call, what) => this.guardCluster(call, what) } : {}),
    });
    this.grpc = new GrpcServer({
      // A little room above the body limit so that the API answers with its own clear message.
      'grpc.max_receive_message_length': maxRequestBytes + 64 * 1024,
      'grpc.max_send_message_length': -1,
    });
    this.grpc.addService(ApiServiceDefinition, this.api.implementation);
    this.grpc.addService(ClusterServiceDefinition, this.cluster.implementation);
    this.grpc.addService(HealthServiceDefinition, this.health.implementation);
    const serverName = o.name ?? hostname();
    const authenticator = o.authenticator ?? this.security?.authenticator ?? anonymousAdmin;
    this.nodeTunnel = new NodeTunnelService({ tunnels: this.tunnels, authenticator, serverName, log: this.log });
    const streams = new NodeStreamsService({ kinds: this.kinds, registry: this.registry, authenticator, authorizer: o.authorizer ?? this.security?.authorizer ?? alwaysAllow, tunnels: this.tunnels, serverName, log: this.log });
    this.grpc.addService(NodeTunnelServiceDefinition, this.nodeTunnel.implementation);
    this.grpc.addService(NodeStreamsServiceDefinition, streams.implementation);
  }

  /** Secured servers: a Cluster call needs a caller allowed the matching request. */
  private async guardCluster(call: ServerUnaryCall<unknown, unknown>, what: ClusterCall): Promise<void> {
    const security = this.security!;
    const user = await this.api.authenticate(authInput(call));
    const attrs: SecurityAttributes =
      what === 'componentstatuses' ? resourceRequest({ verb: 'list', resource: 'componentstatuses' }) : { kind: 'nonResource', verb: 'get', path: `/${what}` };
    const d = security.decide(user, attrs);
    if (!d.allowed) throw new ApiError(Code.PERMISSION_DENIED, forbiddenMessage(user, attrs, d.reason));
  }

  private async readObject(kind: KindDefinition, namespace: string, name: string): Promise<KubeObject | undefined> {
    const v = await this.storage.get(objectKey(kind.resource, namespace, name, kind.namespaced));
    return v === undefined ? undefined : decodeStored(this.transformer.fromStorage(kind.resource, v.value), v.modRevision);
  }

  /** Binds the ports; resolves once serving (after the system namespaces exist, unless waitReady is false). */
  async listen(addresses: ListenAddresses, opts: { waitReady?: boolean } = {}): Promise<BoundPorts> {
    const grpcPort = await new Promise<number>((resolve, reject) => {
      this.grpc.bindAsync(addresses.grpc, this.deps.options?.credentials ?? ServerCredentials.createInsecure(), (e, port) => (e !== null ? reject(new Error(`cannot listen on ${addresses.grpc} (gRPC API): ${e.message}`)) : resolve(port)));
    });
    let httpPort: number | undefined;
    if (addresses.http !== undefined) {
      const { host, port } = splitHostPort(addresses.http);
      this.http = createHttpServer(this.metrics.registry, { check: () => this.readiness() });
      httpPort = await new Promise<number>((resolve, reject) => {
        this.http!.once('error', (e) => reject(new Error(`cannot listen on ${addresses.http} (HTTP health and metrics): ${e.message}`)));
        this.http!.listen(port, host, () => {
          const a = this.http!.address();
          resolve(typeof a === 'object' && a !== null ? a.port : port);
        });
      });
    }
    this.log.info({ grpc: `${splitHostPort(addresses.grpc).host}:${grpcPort}`, grpcPort, httpPort }, 'API server listening');
    const ks = this.deps.options?.kubernetesService;
    if (ks !== undefined) {
      this.kubernetesService = new KubernetesServiceReconciler(
        {
          serverName: this.deps.options?.name ?? hostname(),
          advertise: { ip: ks.advertiseIp, port: ks.port ?? grpcPort },
          clusterIP: ipAt(this.serviceAllocators.ranges.ip, KUBERNETES_SERVICE_OFFSET),
          ...(ks.intervalMs !== undefined ? { intervalMs: ks.intervalMs } : {}),
          ...(ks.leaseSeconds !== undefined ? { leaseSeconds: ks.leaseSeconds } : {}),
        },
        { system: this.system, clock: this.deps.clock, log: this.log },
      );
    }
    this.readyPromise = this.bootstrap();
    this.readyPromise.catch(() => {});
    if (opts.waitReady ?? true) await this.readyPromise;
    return { grpcPort, httpPort };
  }

  /** Resolves when the server is ready (system namespaces exist). */
  get ready(): Promise<void> {
    return this.readyPromise ?? Promise.reject(new Error('listen() was not called'));
  }

  /** Creates the object unless it exists (an existing one is left as it is); true when created. */
  private async ensureObject(kind: KindDefinition, object: KubeObject): Promise<boolean> {
    const namespace = kind.namespaced ? (object.metadata.namespace ?? '') : '';
    if ((await this.readObject(kind, namespace, object.metadata.name ?? '')) !== undefined) return false;
    const attrs: RequestAttributes = { ...SYSTEM_ATTRS, verb: 'create', apiGroup: kind.group, resource: kind.resource, namespace };
    try {
      await this.registry.create(attrs, kind, object);
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.code === Code.ALREADY_EXISTS) return false; // another API server made it
      throw e;
    }
  }

  /**
   * Creates the empty allocation objects of the service ranges if missing. A range that differs
   * from the cluster's is logged, not fatal: the rest of the API serves, and allocations refuse
   * with FAILED_PRECONDITION naming both ranges.
   */
  private async ensureAllocations(): Promise<void> {
    for (const allocator of [this.serviceAllocators.ips, this.serviceAllocators.ports]) {
      try {
        await allocator.ensure();
      } catch (e) {
        if (!(e instanceof AllocatorError && e.code === 'RangeMismatch')) throw e;
        this.log.error({ err: e.message }, 'service range differs from the cluster\'s: Services cannot get cluster IPs or node ports from this API server');
      }
    }
  }

  /** The `kubernetes` Service; a refusal (its IP taken, ranges differ) is logged, not fatal. Store trouble is retried. */
  private async ensureKubernetesService(): Promise<void> {
    try {
      await this.kubernetesService?.ensureService();
    } catch (e) {
      if (e instanceof ApiError && (e.code === Code.UNAVAILABLE || e.code === Code.ABORTED)) throw e;
      this.log.error({ err: (e as Error).message }, 'the kubernetes Service could not be created');
    }
  }

  /** Creates the system namespaces (and the default RBAC policy), retrying (until close) while the store is unreachable. */
  private async bootstrap(): Promise<void> {
    const ns = this.kinds.byResource('namespaces');
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        if (ns !== undefined) {
          for (const name of SYSTEM_NAMESPACES) {
            if (await this.ensureObject(ns, { apiVersion: ns.apiVersion, kind: ns.kind, metadata: { name } })) this.log.info({ namespace: name }, 'created system namespace');
          }
        }
        await this.ensureAllocations();
        await this.ensureKubernetesService();
        let created = 0;
        for (const [kind, object] of this.security?.bootstrapObjects() ?? []) if (await this.ensureObject(kind, object)) created++;
        if (created > 0) this.log.info({ created }, 'created missing default RBAC objects');
        await this.watchCaches.start();
        await this.security?.start(this.watchCaches);
        this.bootstrapped = true;
        this.health.setAll(true);
        const repairEvery = this.deps.options?.serviceRepairIntervalMs ?? 60_000;
        if (repairEvery > 0) this.allocationRepair.start(repairEvery);
        this.kubernetesService?.start();
        return;
      } catch (e) {
        if (attempt === 1 || attempt % 10 === 0) this.log.warn({ err: (e as Error).message, attempt }, 'API server not ready yet (store or watch caches); retrying');
        await sleep(Math.min(1000, 100 * attempt));
      }
    }
    throw new Error('closed before ready');
  }

  private async readiness(): Promise<readonly string[]> {
    const reasons: string[] = [];
    if (this.closed) reasons.push('shutting down');
    if (!this.bootstrapped) reasons.push('system namespaces not created yet');
    const unsynced = this.watchCaches.notSynced();
    if (unsynced.length > 0) reasons.push(`watch caches not synced: ${unsynced.join(', ')}`);
    try {
      await withTimeout(this.storage.currentRevision(), 2000, 'the store did not answer within 2 s');
    } catch (e) {
      reasons.push(`store: ${(e as Error).message}`);
    }
    return reasons;
  }

  /** Stops serving: ends watches (UNAVAILABLE), refuses new calls, closes the ports. The storage stays open (its owner closes it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.health.setAll(false);
    // Out of the kubernetes Endpoints first, while the store is still there (bounded: it may not be).
    if (this.kubernetesService !== undefined) await withTimeout(this.kubernetesService.stop(), 3000, 'leaving the kubernetes Endpoints took too long').catch((e: unknown) => this.log.warn({ err: (e as Error).message }, 'leaving the kubernetes Endpoints failed'));
    this.api.close();
    await withTimeout(this.allocationRepair.stop(), 3000, 'the allocation repair pass did not end').catch(() => {});
    this.nodeTunnel.close();
    this.security?.close();
    this.watchCaches.close();
    this.health.close();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.grpc.forceShutdown();
        resolve();
      }, 3000);
      this.grpc.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    if (this.http !== undefined) {
      const http = this.http;
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
    this.deps.options?.storeStatus?.close();
    this.log.info('API server stopped');
  }
}

export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  if (m === null) throw new Error(`"${address}" is not host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(message)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e as Error);
      },
    );
  });
}
