// The etcd v3 Watch gRPC service: wires each bidirectional Watch call to a WatchStream.
//
//   const hub = new WatchHub({ source: mvccWatchSource(store) });
//   server.addService(WatchService, createWatchService({ hub, header }));
//   // after each applied write, in revision order:  hub.notify(revision, events)
//
// Rules:
// - The call's write buffer is the backpressure signal: write() returning false stops the
//   stream until 'drain' (see watch-stream.ts).
// - A client that half-closes its side ends the call with OK, as etcd does; a cancelled or
//   failed call cancels its watchers. Aborting config.signal ends every call with etcd's
//   "server stopped" (so a server can shut down: watch calls never end by themselves).
// - A client that requires a leader (metadata hasleader=true, as etcdctl and clientv3's
//   WithRequireLeader send) is refused with etcd's "no leader" when config.hasLeader says so.

import * as grpc from '@grpc/grpc-js';
import type { ResponseHeader, WatchRequest, WatchResponse, WatchServer } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { WatchHub } from './watch-hub.js';
import { WatchStream } from './watch-stream.js';

export interface WatchServiceConfig {
  readonly hub: WatchHub;
  /** cluster_id, member_id and raft_term for response headers; the watch layer sets revision. */
  readonly header: () => ResponseHeader;
  /** Interval of progress notifications to idle progress_notify watchers (default 10 min, as
   * etcd). */
  readonly progressNotifyIntervalMs?: number;
  /** Size from which a response with 2+ events is fragmented for watchers that allow it
   * (default 2 MiB: etcd's 1.5 MiB max request bytes + 512 KiB gRPC overhead). */
  readonly fragmentBytes?: number;
  /** Events of several revisions of one watcher that are ready together (history catch-up,
   * bursts) share a response up to about this many bytes (default 1 MiB; gRPC clients often
   * refuse messages above 4 MiB). */
  readonly batchBytes?: number;
  /** Most responses a stream writes per event loop turn before yielding (default 256). */
  readonly maxResponsesPerTurn?: number;
  /** Queued control responses above which a stream stops reading requests (default 1024). */
  readonly maxControlBacklog?: number;
  /** Whether this member has a leader now; absent = always. */
  readonly hasLeader?: () => boolean;
  /** Aborted: every stream ends and new ones are refused. */
  readonly signal?: AbortSignal;
  /** Told of a broken invariant that failed a stream (the call gets INTERNAL). */
  readonly onError?: (err: unknown) => void;
}

export const DEFAULT_PROGRESS_NOTIFY_INTERVAL_MS = 10 * 60 * 1000;
export const DEFAULT_FRAGMENT_BYTES = 1.5 * 1024 * 1024 + 512 * 1024;

const ERR_NO_LEADER = 'etcdserver: no leader';
const ERR_STOPPED = 'etcdserver: server stopped';

/** The handler object for the generated WatchService definition. */
export function createWatchService(config: WatchServiceConfig): WatchServer {
  const interval = positive('progressNotifyIntervalMs', config.progressNotifyIntervalMs ?? DEFAULT_PROGRESS_NOTIFY_INTERVAL_MS);
  // Node timers fire at once for delays above 2^31 - 1 ms.
  if (interval > 0x7fffffff) throw new RangeError(`watch service: progressNotifyIntervalMs must be at most ${0x7fffffff}, got ${interval}`);
  const streamConfig = {
    hub: config.hub,
    header: config.header,
    fragmentBytes: positive('fragmentBytes', config.fragmentBytes ?? DEFAULT_FRAGMENT_BYTES),
    maxResponsesPerTurn: positive('maxResponsesPerTurn', config.maxResponsesPerTurn ?? 256),
    batchBytes: positive('batchBytes', config.batchBytes ?? 1024 * 1024),
    maxControlBacklog: positive('maxControlBacklog', config.maxControlBacklog ?? 1024),
  };
  const live = new Set<(code: grpc.status, details: string) => void>();
  config.signal?.addEventListener('abort', () => {
    for (const fail of [...live]) fail(grpc.status.UNAVAILABLE, ERR_STOPPED);
  });

  return {
    watch(call: grpc.ServerDuplexStream<WatchRequest, WatchResponse>): void {
      const refuse = (details: string): void => {
        call.emit('error', { code: grpc.status.UNAVAILABLE, details });
      };
      if (config.signal?.aborted === true) return refuse(ERR_STOPPED);
      if (requiresLeader(call.metadata) && config.hasLeader !== undefined && !config.hasLeader()) return refuse(ERR_NO_LEADER);

      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        if (timer !== undefined) clearInterval(timer);
        timer = undefined;
        live.delete(fail);
        stream.close();
      };
      const fail = (code: grpc.status, details: string): void => {
        if (stream.isClosed) return;
        finish();
        call.emit('error', { code, details });
      };
      const guarded = (fn: () => void): void => {
        try {
          fn();
        } catch (err) {
          config.onError?.(err);
          fail(grpc.status.INTERNAL, `watch: ${err instanceof Error ? err.message : String(err)}`);
        }
      };
      const stream = new WatchStream(streamConfig, {
        write: (resp) => call.write(resp),
        schedule: (fn) => setImmediate(() => guarded(fn)),
        pauseRequests: () => call.pause(),
        resumeRequests: () => call.resume(),
      });
      live.add(fail);
      timer = setInterval(() => guarded(() => stream.progressTick()), interval);
      timer.unref();

      call.on('data', (req: WatchRequest) => guarded(() => stream.receive(req)));
      call.on('drain', () => guarded(() => stream.drained()));
      call.on('end', () => {
        if (stream.isClosed) return;
        finish();
        call.end();
      });
      call.on('cancelled', finish);
      call.on('error', finish);
      call.on('close', finish);
    },
  };
}

/** etcd's rpctypes.MetadataRequireLeaderKey / MetadataHasLeader. */
function requiresLeader(md: grpc.Metadata): boolean {
  return md.get('hasleader').some((v) => v.toString() === 'true');
}

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`watch service: ${name} must be positive, got ${v}`);
  return v;
}
