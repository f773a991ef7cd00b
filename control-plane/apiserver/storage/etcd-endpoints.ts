// The etcd members a client may talk to, one gRPC channel each (KV and Watch share it), and the
// failover rule for unary calls.
//
// Rules:
// - Calls go to the current endpoint. A transient failure (see etcd-errors.ts) moves the current
//   endpoint to the next one and the call is retried there after a backoff (doubling from
//   backoffMs up to maxBackoffMs); once retryTimeoutMs has passed since the call began it fails
//   with 'Unavailable'. Final failures are not retried.
// - Each attempt has its own deadline (callTimeoutMs), so a stopped member costs one deadline.
// - Whether a retry is safe is the caller's business: the attempt function is told whether an
//   earlier attempt may have been applied (attempt.maybeApplied) and must check for it.
import * as grpc from '@grpc/grpc-js';
import type { KVClient, WatchClient } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import { TolerantKVClient, TolerantWatchClient } from './etcd-clients.js';
import { isTransient, mayHaveApplied, toStorageError } from './etcd-errors.js';
import type { Clock } from './clock.js';
import { StorageError, StorageErrorCode } from './storage.js';

export interface Endpoint {
  /** As given, e.g. http://127.0.0.1:2379. */
  readonly url: string;
  /** host:port for gRPC. */
  readonly address: string;
  readonly kv: KVClient;
  readonly watch: WatchClient;
  readonly channel: grpc.Channel;
}

export interface RetryPolicy {
  /** Deadline of one attempt. */
  readonly callTimeoutMs: number;
  /** Give up (Unavailable) once this long has passed since the first attempt. */
  readonly retryTimeoutMs: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
}

/** A call or watch left an endpoint for the next one (for logs and metrics). */
export interface FailoverInfo {
  readonly what: string;
  readonly from: string;
  readonly to: string;
  readonly error: string;
}

export interface Attempt {
  readonly endpoint: Endpoint;
  /** An earlier attempt failed in a way that may still have applied it. */
  readonly maybeApplied: boolean;
  /** The deadline for this attempt's calls. */
  readonly deadline: number;
}

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
  // A member that comes back should be reachable again soon, not after grpc's 120 s backoff.
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 2000,
  // Notice a member that stopped answering (SIGSTOP, partition) on an idle watch stream.
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
};

/** TLS to the store (https:// endpoints): the CA that signed the members' certificates, and the
 * client pair when the store asks for client certificates (--client-cert-auth). PEM bytes. */
export interface StoreTls {
  readonly ca: Uint8Array;
  readonly cert?: Uint8Array;
  readonly key?: Uint8Array;
}

/** Channel credentials for the store: plaintext without tls, else TLS (mTLS with a pair). */
export function storeCredentials(tls: StoreTls | undefined): grpc.ChannelCredentials {
  if (tls === undefined) return grpc.credentials.createInsecure();
  if ((tls.cert === undefined) !== (tls.key === undefined)) throw new TypeError('storage: a store client certificate needs its key (both or neither)');
  const b = (x: Uint8Array | undefined): Buffer | null => (x === undefined ? null : Buffer.from(x));
  return grpc.credentials.createSsl(b(tls.ca), b(tls.key), b(tls.cert));
}

/** host:port from an endpoint URL (http://host:port, https:// with tls) or a bare host:port. */
export function grpcAddress(url: string, tls = false): string {
  if (!/^[a-z]+:\/\//i.test(url)) return url;
  const u = new URL(url);
  const want = tls ? 'https:' : 'http:';
  if (u.protocol !== want) throw new TypeError(`storage: endpoint ${url}: expected ${want}// ${tls ? '(TLS to the store is configured)' : '(no TLS configured for the store: give its CA for https://)'}`);
  if (u.port === '') throw new TypeError(`storage: endpoint ${url} has no port`);
  return u.host;
}

export class Endpoints {
  readonly list: readonly Endpoint[];
  private current = 0;

  constructor(
    urls: readonly string[],
    readonly policy: RetryPolicy,
    readonly clock: Clock,
    private readonly onFailover: (info: FailoverInfo) => void = () => {},
    tls?: StoreTls,
  ) {
    if (urls.length === 0) throw new TypeError('storage: at least one endpoint is needed');
    const creds = storeCredentials(tls);
    this.list = urls.map((url) => {
      const address = grpcAddress(url, tls !== undefined);
      const channel = new grpc.Channel(address, creds, CHANNEL_OPTIONS);
      const opts = { channelOverride: channel };
      return {
        url,
        address,
        channel,
        kv: new TolerantKVClient(address, creds, opts),
        watch: new TolerantWatchClient(address, creds, opts),
      };
    });
  }

  get size(): number {
    return this.list.length;
  }

  /** The endpoint calls go to now. */
  pick(): Endpoint {
    return this.list[this.current] as Endpoint;
  }

  /** `failed` misbehaved: move on to the next endpoint (unless someone already did). */
  failed(failed: Endpoint, what: string, error: unknown): void {
    if (this.list[this.current] !== failed) return;
    this.current = (this.current + 1) % this.list.length;
    this.onFailover({ what, from: failed.url, to: this.pick().url, error: errorText(error) });
  }

  backoff(previousMs: number): number {
    return previousMs === 0 ? this.policy.backoffMs : Math.min(previousMs * 2, this.policy.maxBackoffMs);
  }

  /** Runs attempt until it succeeds, fails finally, or the retry time is spent. */
  async run<T>(what: string, attempt: (a: Attempt) => Promise<T>, isClosed: () => boolean): Promise<T> {
    const start = this.clock.now();
    let maybeApplied = false;
    let delay = 0;
    let tries = 0;
    for (;;) {
      if (isClosed()) throw new StorageError(StorageErrorCode.Closed, `${what}: storage closed`);
      const endpoint = this.pick();
      tries++;
      try {
        return await attempt({ endpoint, maybeApplied, deadline: this.clock.now() + this.policy.callTimeoutMs });
      } catch (e) {
        if (!isTransient(e)) throw toStorageError(e, what);
        if (mayHaveApplied(e)) maybeApplied = true;
        this.failed(endpoint, what, e);
        delay = this.backoff(delay);
        if (this.clock.now() + delay - start > this.policy.retryTimeoutMs) {
          throw new StorageError(StorageErrorCode.Unavailable, `${what}: store unavailable after ${tries} attempts over ${this.clock.now() - start} ms: ${errorText(e)}`, 0, { cause: e });
        }
        await this.clock.sleep(delay);
      }
    }
  }

  close(): void {
    for (const e of this.list) {
      e.kv.close();
      e.watch.close();
      e.channel.close();
    }
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) return 'details' in e ? String((e as grpc.ServiceError).details) : e.message;
  return String(e);
}

type Callback<Res> = (e: grpc.ServiceError | null, r: Res) => void;
type UnaryMethod<Req, Res> = (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: Callback<Res>) => grpc.ClientUnaryCall;

/** One unary call with a deadline, as a promise (rejects with the grpc ServiceError). */
export function unary<Req, Res>(client: grpc.Client, method: UnaryMethod<Req, Res>, req: Req, deadline: number): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, req, new grpc.Metadata(), { deadline }, (e, r) => (e !== null ? reject(e) : resolve(r)));
  });
}
