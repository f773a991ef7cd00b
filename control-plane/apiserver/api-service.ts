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
import { ApiError, badRequest, Code, CODE_NAMES, unknownResource } from './errors.js';
import type { KindLookup } from './kinds.js';
import type { ApiMetrics } from './metrics.js';
import type { AuthenticationInput, Authenticator } from './pipeline/authentication.js';
import type { Authorizer } from './pipeline/authorization.js';
import { authorize } from './pipeline/authorization.js';
import type { RequestAttributes, Verb } from './request.js';
import { decodeBody, encodeObject } from './registry/codec.js';
import { parsePropagationPolicy } from './registry/deletion.js';
import { compileFilter } from './registry/filter.js';
import { listPrefix } from './registry/keys.js';
import type { Registry } from './registry/registry.js';
import { parseResourceVersion } from './registry/registry.js';
import type { WatchSource } from './watch-stream.js';
import { WatchStream } from './watch-stream.js';

export interface ApiServiceDeps {
  readonly kinds: KindLookup;
  readonly registry: Registry;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly metrics: ApiMetrics;
  readonly log: Logger;
  /** Largest request body (object or patch bytes); bigger → RESOURCE_EXHAUSTED. */
  readonly maxRequestBytes: number;
  readonly bookmarkIntervalMs: number;
  /** Events a slow watcher may have queued before its watch is ended. */
  readonly maxQueuedWatchEvents: number;
  /** The resource's watch cache. */
  readonly watchSource: (kind: KindDefinition) => WatchSource;
}

interface Target {
  readonly verb: Verb;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace: string;
  readonly name?: string;
  readonly dryRun?: boolean;
}

/** A request path segment (name or namespace) that cannot become a key outside its prefix. */
export function checkSegment(what: 'name' | 'namespace', value: string): void {
  if (value === '.' || value === '..' || value.includes('/') || value.includes('%') || value.includes('\0')) {
    throw badRequest(`invalid ${what} "${value}": may not be "." or ".." and may not contain "/", "%" or NUL`);
  }
  if (value.length > 253) throw badRequest(`invalid ${what}: must be no more than 253 characters, got ${value.length}`);
}

export function toServiceError(e: ApiError): Partial<ServiceError> {
  const metadata = new Metadata();
  if (e.causes.length > 0) metadata.set('shoal-causes', JSON.stringify(e.causes));
  return { code: e.code as number, details: e.message, metadata };
}

const json = (o: KubeObject): Buffer => Buffer.from(encodeObject(o));

export class ApiService {
  private readonly watches = new Set<{ stream: WatchStream | undefined; end: (e: ApiError) => void }>();
  private closing = false;

  constructor(private readonly d: ApiServiceDeps) {}

  private fail(e: unknown, what: string): ApiError {
    if (e instanceof ApiError) return e;
    this.d.log.error({ err: (e as Error)?.stack ?? String(e), what }, 'internal error');
    return new ApiError(Code.INTERNAL, `internal error: ${(e as Error)?.message ?? String(e)}`);
  }

  /** Resolves the kind, authenticates and authorizes; returns the attributes later stages see. */
  private async admitRequest(input: AuthenticationInput, t: Target): Promise<{ kind: KindDefinition; attrs: RequestAttributes }> {
    if (this.closing) throw new ApiError(Code.UNAVAILABLE, 'the API server is shutting down; use another one');
    if (t.resource === '') throw badRequest('resource is required (a plural resource name such as "pods")');
    const kind = this.d.kinds.byResource(t.resource);
    if (kind === undefined) throw unknownResource(t.resource);
    const namespace = kind.namespaced ? t.namespace : '';
    if (namespace !== '') checkSegment('namespace', namespace);
    if ((t.name ?? '') !== '') checkSegment('name', t.name!);
    const user = await this.d.authenticator.authenticate(input);
    const attrs: RequestAttributes = { user, verb: t.verb, resource: kind.resource, subresource: t.subresource ?? '', namespace, name: t.name ?? '', dryRun: t.dryRun ?? false };
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
      const end = this.d.metrics.requestDuration.startTimer({ verb: t.verb, resource: t.resource });
      const done = (code: number): void => {
        end();
        this.d.metrics.requests.inc({ verb: t.verb, resource: this.d.kinds.byResource(t.resource) !== undefined ? t.resource : 'unknown', code: CODE_NAMES[code] ?? String(code) });
      };
      this.admitRequest(authInput(call), t)
        .then(({ kind, attrs }) => run(call.request, kind, attrs))
        .then(
          (res) => {
            done(Code.OK);
            callback(null, res);
          },
          (e: unknown) => {
            const err = this.fail(e, `${t.verb} ${t.resource}`);
            done(err.code);
            callback(toServiceError(err));
          },
        );
    };
  }

  readonly implementation: ApiServiceImplementation = {
    create: this.unary<CreateRequest, ObjectResponse>(
      (r) => ({ verb: 'create', resource: r.resource, subresource: r.subresource, namespace: r.namespace, name: r.name, dryRun: r.dryRun }),
      async (r, kind, attrs) => {
        this.checkSize(r.object, 'the request body');
        if (attrs.subresource === 'binding') {
          this.needsName(kind, attrs);
          return { object: json(await this.d.registry.bind(attrs, kind, r.object)) };
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
      (r) => ({ verb: 'list', resource: r.resource, namespace: r.namespace }),
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
          subresources: [...(k.hasStatus ? ['status'] : []), ...(k.resource === 'pods' ? ['binding'] : []), ...(k.resource === 'namespaces' ? ['finalize'] : [])],
        })),
      });
    },
    watch: (call: ServerWritableStream<WatchRequest, WatchEvent>) => this.watch(call),
  };

  private watch(call: ServerWritableStream<WatchRequest, WatchEvent>): void {
    const r = call.request;
    const t: Target = { verb: 'watch', resource: r.resource, namespace: r.namespace };
    const end = this.d.metrics.requestDuration.startTimer({ verb: 'watch', resource: r.resource });
    let finished = false;
    let counted: string | undefined;
    const entry: { stream: WatchStream | undefined; end: (e: ApiError) => void } = { stream: undefined, end: () => {} };
    const finish = (e: ApiError | undefined): void => {
      if (finished) return;
      finished = true;
      entry.stream?.close();
      this.watches.delete(entry);
      if (counted !== undefined) this.d.metrics.watchers.dec({ resource: counted });
      this.d.metrics.requests.inc({ verb: 'watch', resource: counted ?? 'unknown', code: CODE_NAMES[e?.code ?? Code.OK] ?? 'UNKNOWN' });
      if (e !== undefined) call.emit('error', toServiceError(e));
      else call.end();
    };
    entry.end = finish;
    call.on('cancelled', () => finish(undefined));
    call.on('error', () => finish(undefined));
    this.watches.add(entry);
    const send = (type: string, object: KubeObject): boolean => {
      if (finished || call.cancelled) return true;
      call.write({ type, object: json(object) });
      return call.writableLength <= this.d.maxQueuedWatchEvents;
    };
    void (async () => {
      const { kind, attrs } = await this.admitRequest(authInput(call), t);
      const { filter } = compileFilter(kind, r.labelSelector, r.fieldSelector);
      let from = parseResourceVersion(r.resourceVersion, 'resource_version');
      counted = kind.resource;
      this.d.metrics.watchers.inc({ resource: counted });
      if (from === 0) {
        // No resourceVersion: the current state as ADDED events, then changes after it.
        const list = await this.d.registry.list(attrs, kind, { labelSelector: r.labelSelector, fieldSelector: r.fieldSelector, limit: 0, continueToken: '', resourceVersion: '' });
        for (const o of list.items) send('ADDED', o);
        from = list.resourceVersion;
      }
      end();
      if (finished) return;
      entry.stream = new WatchStream({
        kind,
        prefix: listPrefix(kind.resource, attrs.namespace, kind.namespaced),
        filter,
        fromRevision: from,
        allowBookmarks: r.allowBookmarks,
        bookmarkIntervalMs: this.d.bookmarkIntervalMs,
        source: this.d.watchSource(kind),
        send: (ev) => send(ev.type, ev.object),
        end: (e) => finish(e),
      });
      if (finished) entry.stream.close();
    })().catch((e: unknown) => {
      end();
      finish(this.fail(e, `watch ${r.resource}`));
    });
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

function authInput(call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>): AuthenticationInput {
  const md: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(call.metadata.getMap())) md[k] = [typeof v === 'string' ? v : Buffer.from(v).toString('base64')];
  return { metadata: md, peer: call.getPeer() };
}
