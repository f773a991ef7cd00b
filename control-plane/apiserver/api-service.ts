// The shoal.api.v1.Api gRPC service: each call goes through the pipeline's stages in order —
// authentication → authorization → (in the registry, per attempt) admission → validation →
// storage — and every failure becomes a gRPC status with a message a person can act on
// (validation causes in the trailing metadata "shoal-causes").
import { Metadata } from '@grpc/grpc-js';
import type { sendUnaryData, ServerUnaryCall, ServerWritableStream, ServiceError } from '@grpc/grpc-js';
import type { KindDefinition, KubeObject } from '../../api/kind.js';
import type {
  ApiServer as ApiServiceImplementation,
  CreateRequest,
  DeleteRequest,
  DiscoveryRequest,
  DiscoveryResponse,
  GetRequest,
  ListRequest,
  ListResponse,
  ObjectResponse,
  PatchRequest,
  UpdateRequest,
  WatchEvent,
  WatchRequest,
} from '../../proto/gen/shoal/api/v1/api.js';
import type { Logger } from 'pino';
import { accessReviewKind, answerReview } from './access-review.js';
import { ApiError, badRequest, Code, CODE_NAMES, invalid, tooOld, unknownResource } from './errors.js';
import type { Decision as SecurityDecision, ResourceRequest } from './security/index.js';
import type { KindLookup } from './kinds.js';
import type { ApiMetrics } from './metrics.js';
import type { AuthenticationInput, Authenticator } from './pipeline/authentication.js';
import type { Authorizer } from './pipeline/authorization.js';
import { authorize } from './pipeline/authorization.js';
import type { RequestAttributes, UserInfo, Verb } from './request.js';
import { decodeBody, encodeObject } from './registry/codec.js';
import { parsePropagationPolicy } from './registry/deletion.js';
import { checkSegment } from './registry/keys.js';
import { compileFilter } from './registry/filter.js';
import type { Registry } from './registry/registry.js';
import { parseResourceVersion } from './registry/registry.js';
import type { CacheWatch } from './storage/watch-cache.js';
import { WatchCacheError } from './storage/watch-cache.js';
import type { WatchCaches } from './watch-caches.js';

export interface ApiServiceDeps {
  readonly kinds: KindLookup;
  readonly registry: Registry;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly metrics: ApiMetrics;
  readonly log: Logger;
  /** Largest request body (object or patch bytes); bigger → RESOURCE_EXHAUSTED. */
  readonly maxRequestBytes: number;
  /** Every resource's watch cache. */
  readonly watchCaches: WatchCaches;
  /** Called once per finished request (the audit log of issue 5 plugs in here). */
  readonly audit?: AuditSink;
  /** Answers SelfSubjectAccessReviews (absent: everything is allowed, as in dev mode). */
  readonly access?: { decide(user: UserInfo, attrs: ResourceRequest): SecurityDecision };
}

export interface AuditRecord {
  readonly target: Target;
  /** Undefined when authentication failed. */
  readonly user: UserInfo | undefined;
  /** gRPC status name: "OK", "NOT_FOUND", ... */
  readonly code: string;
  /** The error's message when the request failed ("" when it succeeded). */
  readonly message: string;
  /** The caller's address as grpc-js reports it ("ipv4:127.0.0.1:52100"). */
  readonly peer: string;
  readonly latencyMs: number;
}

export type AuditSink = (record: AuditRecord) => void;

export interface Target {
  readonly verb: Verb;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace: string;
  readonly name?: string;
  readonly dryRun?: boolean;
  /** create only: the body's metadata.name, for authorization (not checked here: validation reports bad names). */
  readonly createName?: string;
  /** list/watch only. */
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** The watch cache's endings as the client sees them: OUT_OF_RANGE means relist. */
export function watchCacheError(e: WatchCacheError): ApiError {
  switch (e.code) {
    case 'TooOld':
      return tooOld(e.message);
    case 'Reset':
      return tooOld(`too old resource version: the watch cache lost history and relisted (${e.message}); relist`);
    case 'Slow':
      return new ApiError(Code.UNAVAILABLE, `${e.message}`);
    case 'TooLarge':
      return new ApiError(Code.UNAVAILABLE, `${e.message}; this API server has not caught up yet, retry`);
    case 'Unavailable':
      return new ApiError(Code.UNAVAILABLE, e.message);
    case 'Closed':
      return new ApiError(Code.UNAVAILABLE, 'the API server is shutting down; watch again (another API server)');
  }
}

export function toServiceError(e: ApiError): Partial<ServiceError> {
  const metadata = new Metadata();
  if (e.causes.length > 0) metadata.set('shoal-causes', JSON.stringify(e.causes));
  return { code: e.code as number, details: e.message, metadata };
}

const json = (o: KubeObject): Buffer => Buffer.from(encodeObject(o));

export class ApiService {
  private readonly watches = new Set<{ end: (e: ApiError) => void }>();
  private closing = false;

  constructor(private readonly d: ApiServiceDeps) {}

  private fail(e: unknown, what: string): ApiError {
    if (e instanceof ApiError) return e;
    this.d.log.error({ err: (e as Error)?.stack ?? String(e), what }, 'internal error');
    return new ApiError(Code.INTERNAL, `internal error: ${(e as Error)?.message ?? String(e)}`);
  }

  /** Resolves the kind, authenticates and authorizes; returns the attributes later stages see. */
  private async admitRequest(input: AuthenticationInput, t: Target, authenticated?: (user: UserInfo) => void): Promise<{ kind: KindDefinition; attrs: RequestAttributes }> {
    if (this.closing) throw new ApiError(Code.UNAVAILABLE, 'the API server is shutting down; use another one');
    if (t.resource === '') throw badRequest('resource is required (a plural resource name such as "pods")');
    const kind = this.d.kinds.byResource(t.resource) ?? (t.resource === accessReviewKind.resource ? accessReviewKind : undefined);
    if (kind === undefined) throw unknownResource(t.resource);
    if (kind === accessReviewKind && t.verb !== 'create') throw new ApiError(Code.UNIMPLEMENTED, `${kind.resource} can only be created (they are answers, never stored)`);
    const namespace = kind.namespaced ? t.namespace : '';
    if (namespace !== '') checkSegment('namespace', namespace);
    if ((t.name ?? '') !== '') checkSegment('name', t.name!);
    const user = await this.d.authenticator.authenticate({ ...input, target: { verb: t.verb, resource: kind.resource, namespace, name: t.name ?? '' } });
    const attrs: RequestAttributes = {
      user,
      verb: t.verb,
      apiGroup: kind.group,
      resource: kind.resource,
      subresource: t.subresource ?? '',
      namespace,
      name: t.name !== undefined && t.name !== '' ? t.name : (t.createName ?? ''),
      dryRun: t.dryRun ?? false,
      labelSelector: t.labelSelector ?? '',
      fieldSelector: t.fieldSelector ?? '',
    };
    authenticated?.(user);
    await authorize(this.d.authorizer, attrs);
    return { kind, attrs };
  }

  private needsName(kind: KindDefinition, attrs: RequestAttributes): void {
    if (attrs.name === '') throw badRequest(`a name is required to ${attrs.verb} ${kind.resource}`);
    if (kind.namespaced && attrs.namespace === '') throw badRequest(`${kind.resource} are namespaced: a namespace is required to ${attrs.verb} one`);
  }

  private checkSize(bytes: Uint8Array, what: string): void {
    if (bytes.length > this.d.maxRequestBytes) {
      throw new ApiError(Code.RESOURCE_EXHAUSTED, `${what} is too large: ${bytes.length} bytes, the limit is ${this.d.maxRequestBytes}`);
    }
  }

  private unary<Req, Res>(target: (req: Req) => Target, run: (req: Req, kind: KindDefinition, attrs: RequestAttributes) => Promise<Res>) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      let t: Target;
      try {
        t = target(call.request);
      } catch (e) {
        callback(toServiceError(this.fail(e, 'request')));
        return;
      }
      const resource = this.d.kinds.byResource(t.resource) !== undefined ? t.resource : 'unknown';
      const started = performance.now();
      let attrs: RequestAttributes | undefined;
      const done = (code: number, message = ''): void => {
        const seconds = (performance.now() - started) / 1000;
        this.d.metrics.requestDuration.observe({ verb: t.verb, resource }, seconds);
        this.d.metrics.requests.inc({ verb: t.verb, resource, code: CODE_NAMES[code] ?? String(code) });
        this.d.audit?.({ target: t, user: attrs?.user ?? user, code: CODE_NAMES[code] ?? String(code), message, peer: call.getPeer(), latencyMs: seconds * 1000 });
      };
      // Set once authenticated, so a request refused by authorization is audited with its user.
      let user: UserInfo | undefined;
      this.admitRequest(authInput(call), t, (u) => (user = u))
        .then((admitted) => {
          attrs = admitted.attrs;
          return run(call.request, admitted.kind, admitted.attrs);
        })
        .then(
          (res) => {
            done(Code.OK);
            callback(null, res);
          },
          (e: unknown) => {
            const err = this.fail(e, `${t.verb} ${t.resource}`);
            done(err.code, err.message);
            callback(toServiceError(err));
          },
        );
    };
  }

  readonly implementation: ApiServiceImplementation = {
    create: this.unary<CreateRequest, ObjectResponse>(
      // Authorization sees the new object's name (a node may create only its own Node and Lease).
      (r) => ({ verb: 'create', resource: r.resource, subresource: r.subresource, namespace: r.namespace, name: r.name, createName: r.name === '' ? bodyName(r.object) : undefined, dryRun: r.dryRun }),
      async (r, kind, attrs) => {
        this.checkSize(r.object, 'the request body');
        if (kind === accessReviewKind) return { object: json(this.accessReview(attrs, r.object)) };
        if (attrs.subresource === 'binding') {
          this.needsName(kind, attrs);
          return { object: json(await this.d.registry.bind(attrs, kind, r.object)) };
        }
        if (attrs.subresource === 'eviction') {
          this.needsName(kind, attrs);
          return { object: json(await this.d.registry.evict(attrs, kind, r.object)) };
        }
        if (attrs.subresource !== '') throw new ApiError(Code.NOT_FOUND, `the server could not find the requested resource: ${kind.resource} has no subresource "${attrs.subresource}" for create`);
        return { object: json(await this.d.registry.create(attrs, kind, decodeBody(r.object, kind))) };
      },
    ),
    get: this.unary<GetRequest, ObjectResponse>(
      (r) => ({ verb: 'get', resource: r.resource, namespace: r.namespace, name: r.name }),
      async (_r, kind, attrs) => {
        this.needsName(kind, attrs);
        return { object: json(await this.d.registry.get(attrs, kind, attrs.namespace, attrs.name)) };
      },
    ),
    list: this.unary<ListRequest, ListResponse>(
      (r) => ({ verb: 'list', resource: r.resource, namespace: r.namespace, labelSelector: r.labelSelector, fieldSelector: r.fieldSelector }),
      async (r, kind, attrs) => {
        const out = await this.d.registry.list(attrs, kind, { labelSelector: r.labelSelector, fieldSelector: r.fieldSelector, limit: r.limit, continueToken: r.continue, resourceVersion: r.resourceVersion });
        return { items: out.items.map(json), resourceVersion: String(out.resourceVersion), continue: out.continueToken, remainingItemCount: out.remaining };
      },
    ),
    update: this.unary<UpdateRequest, ObjectResponse>(
      (r) => ({ verb: 'update', resource: r.resource, subresource: r.subresource, namespace: r.namespace, name: r.name, dryRun: r.dryRun }),
      async (r, kind, attrs) => {
        this.needsName(kind, attrs);
        this.checkSize(r.object, 'the request body');
        return { object: json(await this.d.registry.update(attrs, kind, decodeBody(r.object, kind))) };
      },
    ),
    patch: this.unary<PatchRequest, ObjectResponse>(
      (r) => ({ verb: 'patch', resource: r.resource, subresource: r.subresource, namespace: r.namespace, name: r.name, dryRun: r.dryRun }),
      async (r, kind, attrs) => {
        this.needsName(kind, attrs);
        this.checkSize(r.patch, 'the patch');
        return { object: json(await this.d.registry.patch(attrs, kind, r.patch)) };
      },
    ),
    delete: this.unary<DeleteRequest, ObjectResponse>(
      (r) => ({ verb: 'delete', resource: r.resource, namespace: r.namespace, name: r.name, dryRun: r.dryRun }),
      async (r, kind, attrs) => {
        this.needsName(kind, attrs);
        const object = await this.d.registry.delete(attrs, kind, {
          gracePeriodSeconds: r.gracePeriodSeconds,
          preconditionUid: r.preconditionUid,
          preconditionResourceVersion: r.preconditionResourceVersion,
          propagationPolicy: parsePropagationPolicy(r.propagationPolicy),
        });
        return { object: json(object) };
      },
    ),
    discovery: (_call: ServerUnaryCall<DiscoveryRequest, DiscoveryResponse>, callback: sendUnaryData<DiscoveryResponse>) => {
      callback(null, {
        resources: this.d.kinds.all().map((k) => ({
          name: k.resource,
          singularName: k.singular,
          kind: k.kind,
          apiVersion: k.apiVersion,
          namespaced: k.namespaced,
          shortNames: [...k.shortNames],
          verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
          subresources: [...(k.hasStatus ? ['status'] : []), ...(k.resource === 'pods' ? ['binding', 'eviction'] : []), ...(k.resource === 'namespaces' ? ['finalize'] : []), ...(k.resource === 'certificatesigningrequests' ? ['approval'] : [])],
        })),
      });
    },
    watch: (call: ServerWritableStream<WatchRequest, WatchEvent>) => this.watch(call),
  };

  private watch(call: ServerWritableStream<WatchRequest, WatchEvent>): void {
    const r = call.request;
    const t: Target = { verb: 'watch', resource: r.resource, namespace: r.namespace, labelSelector: r.labelSelector, fieldSelector: r.fieldSelector };
    const end = this.d.metrics.requestDuration.startTimer({ verb: 'watch', resource: this.d.kinds.byResource(r.resource) !== undefined ? r.resource : 'unknown' });
    let finished = false;
    let counted: string | undefined;
    let handle: CacheWatch | undefined;
    const entry = { end: (_e: ApiError): void => {} };
    const finish = (e: ApiError | undefined): void => {
      if (finished) return;
      finished = true;
      handle?.close();
      this.watches.delete(entry);
      if (counted !== undefined) this.d.metrics.watchers.dec({ resource: counted });
      this.d.metrics.requests.inc({ verb: 'watch', resource: counted ?? 'unknown', code: CODE_NAMES[e?.code ?? Code.OK] ?? 'UNKNOWN' });
      if (e !== undefined) call.emit('error', toServiceError(e));
      else call.end();
    };
    entry.end = finish;
    call.on('cancelled', () => finish(undefined));
    this.watches.add(entry);
    const started = performance.now();
    let user: UserInfo | undefined;
    let audited = false;
    // A watch is audited once, when it starts or is refused (its events are not requests).
    const audit = (code: number, message: string): void => {
      if (audited) return;
      audited = true;
      this.d.audit?.({ target: t, user, code: CODE_NAMES[code] ?? String(code), message, peer: call.getPeer(), latencyMs: performance.now() - started });
    };
    void (async () => {
      const { kind, attrs } = await this.admitRequest(authInput(call), t, (u) => (user = u));
      const { filter, selects } = compileFilter(kind, r.labelSelector, r.fieldSelector);
      const ns = attrs.namespace;
      const select = ns !== '' ? (o: KubeObject) => o.metadata.namespace === ns && filter(o) : selects ? filter : undefined;
      // "" = the current state as ADDED events, then changes; "0" = the cache's state, then changes.
      const from = r.resourceVersion === '' ? undefined : parseResourceVersion(r.resourceVersion, 'resource_version');
      const cache = this.d.watchCaches.get(kind);
      counted = kind.resource;
      this.d.metrics.watchers.inc({ resource: counted });
      const h = await cache.watch(
        { fromRevision: from, filter: select, bookmarks: r.allowBookmarks },
        {
          onEvent: (e) => {
            if (finished) return true;
            // Every event carries the revision of its change (a DELETED object too), so a client
            // resumes from the last one it saw without replaying anything.
            const object: KubeObject =
              e.type === 'BOOKMARK'
                ? { apiVersion: kind.apiVersion, kind: kind.kind, metadata: { resourceVersion: String(e.revision) } }
                : { ...e.object, metadata: { ...e.object.metadata, resourceVersion: String(e.revision) } };
            if (call.write({ type: e.type, object: json(object) })) return true;
            call.once('drain', () => handle?.resume());
            return false;
          },
          onError: (e) => finish(watchCacheError(e)),
        },
      );
      handle = h;
      audit(Code.OK, '');
      end();
      if (finished) h.close();
    })().catch((e: unknown) => {
      end();
      const err = e instanceof WatchCacheError ? watchCacheError(e) : this.fail(e, `watch ${r.resource}`);
      audit(err.code, err.message);
      finish(err);
    });
  }

  private accessReview(attrs: RequestAttributes, body: Uint8Array): KubeObject {
    const input = decodeBody(body, accessReviewKind);
    // Reviews are never stored, so they need no name.
    const review = accessReviewKind.validate({ ...input, metadata: { name: 'review', ...input.metadata } });
    if (!review.ok) throw invalid(accessReviewKind.kind, undefined, review.errors);
    const decide = this.d.access?.decide.bind(this.d.access) ?? (() => ({ allowed: true, reason: 'no authorizer: every request is allowed (dev mode)' }));
    return answerReview(review.object, attrs.user, decide);
  }

  /** Stage 1 alone (for the Cluster service's calls). */
  authenticate(input: AuthenticationInput): Promise<UserInfo> {
    return this.d.authenticator.authenticate(input);
  }

  /** Refuses new requests and ends every watch with UNAVAILABLE (clients go to another server). */
  close(): void {
    this.closing = true;
    for (const w of [...this.watches]) w.end(new ApiError(Code.UNAVAILABLE, 'the API server is shutting down; watch again (another API server)'));
  }

  get watchCount(): number {
    return this.watches.size;
  }
}

/** metadata.name of a JSON body, "" when absent or unreadable (the registry reports bad bodies). */
function bodyName(bytes: Uint8Array): string {
  try {
    const name = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { metadata?: { name?: unknown } }).metadata?.name;
    return typeof name === 'string' ? name : '';
  } catch {
    return '';
  }
}

/** What authentication sees of any call (unary or streaming). */
export function authInput(call: Pick<ServerUnaryCall<unknown, unknown>, 'metadata' | 'getPeer' | 'getAuthContext'>): AuthenticationInput {
  const md: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(call.metadata.getMap())) md[k] = [typeof v === 'string' ? v : Buffer.from(v).toString('base64')];
  const cert = call.getAuthContext()?.sslPeerCertificate?.raw;
  return { metadata: md, peer: call.getPeer(), ...(cert !== undefined ? { peerCertificate: new Uint8Array(cert) } : {}) };
}
