// `shoal-agent run`'s service proxy flags and the proxy's start-up: --proxy-mode iptables (the
// default) needs root and iptables; without them the agent logs an error and runs without a proxy.
import type { Registry } from 'prom-client';
import { systemClock } from '../client/index.js';
import type { ShoalClient } from '../client/index.js';
import type { Logger } from './logger.js';
import { CommandIptables, IptablesError, ServiceProxier, probeBackend } from './service-proxy/index.js';

export const PROXY_MODES = ['iptables', 'none'] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

export interface ProxyOptions {
  readonly mode: ProxyMode;
  readonly clusterCIDR: string | undefined;
  readonly syncPeriodMs: number;
  readonly minSyncPeriodMs: number;
  readonly canaryPeriodMs: number;
}

/** parseArgs option declarations for the proxy flags. */
export const proxyOptions = {
  'proxy-mode': { type: 'string' },
  'cluster-cidr': { type: 'string' },
  'proxy-sync-period': { type: 'string' },
  'proxy-min-sync-period': { type: 'string' },
  'proxy-canary-period': { type: 'string' },
} as const;

/** "30s", "100ms", "1m", or a bare number of seconds. */
export function parseDurationFlag(flag: string, text: string, usage: new (m: string) => Error): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new usage(`${flag}: expected a duration such as 30s, 1m or 100ms, got ${JSON.stringify(text)}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] === undefined ? 's' : (m[2] as 'ms' | 's' | 'm')];
}

export function parseProxyFlags(values: Partial<Record<keyof typeof proxyOptions, string>>, usage: new (m: string) => Error): ProxyOptions {
  const mode = values['proxy-mode'] ?? 'iptables';
  if (!(PROXY_MODES as readonly string[]).includes(mode)) throw new usage(`--proxy-mode: expected one of ${PROXY_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  const cidr = values['cluster-cidr'];
  if (cidr !== undefined && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) throw new usage(`--cluster-cidr: expected an IPv4 CIDR such as 10.244.0.0/16, got ${JSON.stringify(cidr)}`);
  const minSync = parseDurationFlag('--proxy-min-sync-period', values['proxy-min-sync-period'] ?? '100ms', usage);
  const sync = parseDurationFlag('--proxy-sync-period', values['proxy-sync-period'] ?? '30s', usage);
  const canary = parseDurationFlag('--proxy-canary-period', values['proxy-canary-period'] ?? '5s', usage);
  if (sync <= 0 || canary <= 0) throw new usage('--proxy-sync-period and --proxy-canary-period must be more than 0');
  if (minSync > sync) throw new usage(`--proxy-min-sync-period (${minSync} ms) must not exceed --proxy-sync-period (${sync} ms)`);
  return { mode: mode as ProxyMode, clusterCIDR: cidr, syncPeriodMs: sync, minSyncPeriodMs: minSync, canaryPeriodMs: canary };
}

export interface ProxyStartDeps {
  client: ShoalClient;
  nodeName: string;
  log: Logger;
  metrics: Registry;
  /** argv before iptables commands (nsenter into a namespace); none on a real host. */
  prefix?: readonly string[];
}

/** Starts the proxy, or returns undefined (with an error logged) when it cannot run here. */
export async function startServiceProxy(o: ProxyOptions, d: ProxyStartDeps): Promise<ServiceProxier | undefined> {
  if (o.mode === 'none') {
    d.log.info('service proxy disabled (--proxy-mode none)');
    return undefined;
  }
  if (d.prefix === undefined && process.getuid !== undefined && process.getuid() !== 0) {
    d.log.error('service proxy not started: --proxy-mode iptables needs root; running without it (use --proxy-mode none to silence this)');
    return undefined;
  }
  let backend;
  try {
    backend = await probeBackend(d.prefix === undefined ? {} : { prefix: d.prefix });
  } catch (e) {
    if (!(e instanceof IptablesError)) throw e;
    d.log.error({ err: e.message }, 'service proxy not started: iptables is missing; running without it');
    return undefined;
  }
  d.log.info({ backend: backend.backend, reason: backend.reason }, 'service proxy using this iptables back end');
  const iptables = new CommandIptables({ backend: backend.backend, ...(d.prefix === undefined ? {} : { prefix: d.prefix }) });
  return new ServiceProxier({
    client: d.client,
    iptables,
    clock: systemClock,
    log: d.log,
    metrics: d.metrics,
    config: {
      nodeName: d.nodeName,
      ...(o.clusterCIDR === undefined ? {} : { clusterCIDR: o.clusterCIDR }),
      syncPeriodMs: o.syncPeriodMs,
      minSyncPeriodMs: o.minSyncPeriodMs,
      canaryPeriodMs: o.canaryPeriodMs,
    },
  }).start();
}
