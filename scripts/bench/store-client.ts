// The one set of npm `etcd3` client options every benchmark client uses, for Shoal and etcd alike.
import { noop } from 'cockatiel';
import type { IOptions } from 'etcd3';

/**
 * - No fault handling: the default host circuit breaker stops sending to a host for 5 s after 3
 *   failures and the global policy retries 3 times; both would make a failover figure the
 *   client's. Every failure surfaces at once and the caller decides.
 * - A deadline on every unary call; streams (watch) have none.
 * - A local subchannel pool: every Etcd3 instance has its own HTTP/2 connection, so the watcher
 *   and the writer never share one even when they talk to the same member.
 */
export function clientOptions(hosts: string[], deadlineMs: number): IOptions {
  return {
    hosts,
    dialTimeout: 5000,
    grpcOptions: { 'grpc.use_local_subchannel_pool': 1 },
    faultHandling: { host: () => noop, global: noop },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + deadlineMs }),
  };
}
