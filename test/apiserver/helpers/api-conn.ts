// A thin promise wrapper over the generated gRPC clients of shoal.api.v1 (Api, Cluster) for the
// API server's tests; the typed client/ lives elsewhere. Objects go in and out as JSON.
import { credentials, Metadata } from '@grpc/grpc-js';
import type { ChannelCredentials, ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { ApiClient, ClusterClient } from '../../../proto/gen/shoal/api/v1/api.js';
import type {
  CreateRequest,
  DeleteRequest,
  GetRequest,
  ListRequest,
  ListResponse,
  PatchRequest,
  UpdateRequest,
  WatchEvent,
  WatchRequest,
} from '../../../proto/gen/shoal/api/v1/api.js';
import type { KubeObject } from '../../../api/kind.js';
import { sleep } from '../../store/helpers/store-cluster.js';

export type Obj = KubeObject & Record<string, unknown>;

export interface CallError {
  readonly code: number;
  readonly details: string;
  readonly causes: { field: string; type: string; message: string }[];
}

export const enc = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));
export const dec = (b: Uint8Array): Obj => JSON.parse(Buffer.from(b).toString('utf8')) as Obj;

function callError(e: ServiceError): CallError {
  const raw = e.metadata?.get('shoal-causes')[0];
  return { code: e.code, details: e.details, causes: raw === undefined ? [] : (JSON.parse(String(raw)) as CallError['causes']) };
}

type Unary<Req, Res> = (req: Req, md: Metadata, opts: { deadline: Date }, cb: (e: ServiceError | null, r?: Res) => void) => unknown;

function call<Req, Res>(fn: Unary<Req, Res>, self: object, req: Req, timeoutMs = 15_000, md = new Metadata()): Promise<Res> {
  return new Promise((resolve, reject) => {
    fn.call(self, req, md, { deadline: new Date(Date.now() + timeoutMs) }, (e, r) => (e !== null ? reject(Object.assign(new Error(e.details), callError(e))) : resolve(r!)));
  });
}

/** Runs f and returns the gRPC error it fails with (throws if it succeeds). */
export async function failure(p: Promise<unknown>): Promise<CallError> {
  try {
    await p;
  } catch (e) {
    if (typeof (e as CallError).code === 'number') return e as CallError;
    throw e;
  }
  throw new Error('expected the call to fail, it succeeded');
}

export class ApiConn {
  readonly api: ApiClient;
  readonly cluster: ClusterClient;
  /** Deadline of each unary call. */
  callTimeoutMs = 15_000;

  /** creds: TLS credentials (default plaintext); metadata: sent with every call (e.g. a bearer token). */
  constructor(
    readonly address: string,
    creds: ChannelCredentials = credentials.createInsecure(),
    private readonly metadata: Record<string, string> = {},
  ) {
    this.api = new ApiClient(address, creds, { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
    this.cluster = new ClusterClient(address, creds);
  }

  private md(): Metadata {
    const md = new Metadata();
    for (const [k, v] of Object.entries(this.metadata)) md.set(k, v);
    return md;
  }

  async create(resource: string, namespace: string, object: unknown, extra: Partial<CreateRequest> = {}): Promise<Obj> {
    const r = await call(this.api.create as Unary<CreateRequest, { object: Uint8Array }>, this.api, { resource, namespace, object: Buffer.isBuffer(object) ? object : enc(object), name: '', subresource: '', dryRun: false, ...extra }, this.callTimeoutMs, this.md());
    return dec(r.object);
  }

  async get(resource: string, namespace: string, name: string): Promise<Obj> {
    const r = await call(this.api.get as Unary<GetRequest, { object: Uint8Array }>, this.api, { resource, namespace, name }, this.callTimeoutMs, this.md());
    return dec(r.object);
  }

  async list(resource: string, namespace: string, extra: Partial<ListRequest> = {}): Promise<{ items: Obj[]; resourceVersion: string; continue: string; remainingItemCount: number }> {
    const r = await call(this.api.list as Unary<ListRequest, ListResponse>, this.api, { resource, namespace, labelSelector: '', fieldSelector: '', limit: 0, continue: '', resourceVersion: '', ...extra }, this.callTimeoutMs, this.md());
    return { items: r.items.map(dec), resourceVersion: r.resourceVersion, continue: r.continue, remainingItemCount: r.remainingItemCount };
  }

  async update(resource: string, namespace: string, object: Obj, extra: Partial<UpdateRequest> = {}): Promise<Obj> {
    const r = await call(this.api.update as Unary<UpdateRequest, { object: Uint8Array }>, this.api, { resource, namespace, name: object.metadata.name ?? '', subresource: '', object: enc(object), dryRun: false, ...extra }, this.callTimeoutMs, this.md());
    return dec(r.object);
  }

  async patch(resource: string, namespace: string, name: string, patch: unknown, extra: Partial<PatchRequest> = {}): Promise<Obj> {
    const r = await call(this.api.patch as Unary<PatchRequest, { object: Uint8Array }>, this.api, { resource, namespace, name, subresource: '', patch: Buffer.isBuffer(patch) ? patch : enc(patch), dryRun: false, ...extra }, this.callTimeoutMs, this.md());
    return dec(r.object);
  }

  async delete(resource: string, namespace: string, name: string, extra: Partial<DeleteRequest> = {}): Promise<Obj> {
    const r = await call(this.api.delete as Unary<DeleteRequest, { object: Uint8Array }>, this.api, { resource, namespace, name, gracePeriodSeconds: undefined, preconditionUid: '', preconditionResourceVersion: '', propagationPolicy: '', dryRun: false, ...extra }, this.callTimeoutMs, this.md());
    return dec(r.object);
  }

  watch(resource: string, namespace: string, extra: Partial<WatchRequest> = {}): Watcher {
    const stream = this.api.watch({ resource, namespace, labelSelector: '', fieldSelector: '', resourceVersion: '', allowBookmarks: false, ...extra }, this.md());
    return new Watcher(stream);
  }

  close(): void {
    this.api.close();
    this.cluster.close();
  }
}

export interface SeenEvent {
  readonly type: string;
  readonly object: Obj;
}

/** Collects a watch stream's events; every wait is bounded. */
export class Watcher {
  readonly events: SeenEvent[] = [];
  ended: CallError | undefined;
  private done = false;

  constructor(private readonly stream: ClientReadableStream<WatchEvent>) {
    stream.on('data', (e: WatchEvent) => this.events.push({ type: e.type, object: dec(e.object) }));
    stream.on('error', (e: ServiceError) => {
      this.done = true;
      this.ended = callError(e);
    });
    stream.on('end', () => {
      this.done = true;
      this.ended ??= { code: 0, details: 'ended', causes: [] };
    });
  }

  /** Waits until pred holds over the events seen so far. */
  async waitFor(pred: (events: readonly SeenEvent[]) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.events)) {
      if (this.done) throw new Error(`watch ended (${this.ended?.code} ${this.ended?.details}) before ${what}; saw ${this.summary()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; saw ${this.summary()}`);
      await sleep(25);
    }
  }

  async waitEnd(timeoutMs = 20_000): Promise<CallError> {
    const deadline = Date.now() + timeoutMs;
    while (!this.done) {
      if (Date.now() > deadline) throw new Error(`watch did not end within ${timeoutMs} ms`);
      await sleep(25);
    }
    return this.ended!;
  }

  summary(): string {
    return this.events.map((e) => `${e.type} ${e.object.metadata.name ?? ''}@${e.object.metadata.resourceVersion ?? ''}`).join(', ') || 'nothing';
  }

  close(): void {
    this.stream.cancel();
  }
}
