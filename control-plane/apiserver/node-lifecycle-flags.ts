// The node-loss timing flags of shoal-control-plane, with Kubernetes' names and defaults:
// kube-controller-manager's --node-monitor-grace-period (40s) and --node-monitor-period (5s) for
// the node lifecycle controller, and kube-apiserver's --default-not-ready-toleration-seconds and
// --default-unreachable-toleration-seconds (300) for the DefaultTolerationSeconds admission
// plugin. Together they say how long after a worker goes silent its pods move elsewhere.
// Checked at start: a bad value stops the process, naming the flag.
import { ConfigError } from '../store/config.js';

export const NODE_LIFECYCLE_FLAGS = ['node-monitor-grace-period', 'node-monitor-period', 'default-not-ready-toleration-seconds', 'default-unreachable-toleration-seconds'] as const;
export type NodeLifecycleFlag = (typeof NODE_LIFECYCLE_FLAGS)[number];

export interface NodeLifecycleConfig {
  /** Silence after which a node is Unknown and tainted unreachable (--node-monitor-grace-period). */
  readonly nodeMonitorGracePeriodMs: number;
  /** How often every node's health is looked at (--node-monitor-period). */
  readonly nodeMonitorPeriodMs: number;
  /** tolerationSeconds the API server gives new pods for not-ready / unreachable NoExecute taints. */
  readonly defaultNotReadyTolerationSeconds: number;
  readonly defaultUnreachableTolerationSeconds: number;
}

export const NODE_LIFECYCLE_DEFAULTS: NodeLifecycleConfig = {
  nodeMonitorGracePeriodMs: 40_000,
  nodeMonitorPeriodMs: 5_000,
  defaultNotReadyTolerationSeconds: 300,
  defaultUnreachableTolerationSeconds: 300,
};

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * A Go duration as Kubernetes' flags take it ("40s", "1m30s", "500ms", "1h"), in milliseconds.
 * A unit is required (a bare "40" is ambiguous), as Go's time.ParseDuration requires.
 */
export function parseFlagDuration(flag: string, raw: string): number {
  const text = raw.trim();
  const part = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;
  let ms = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    if (m === null) break;
    ms += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    at = part.lastIndex;
  }
  if (text === '' || at !== text.length) throw new ConfigError(`--${flag}: "${raw}" is not a duration (e.g. 40s, 1m30s, 500ms)`);
  return Math.round(ms);
}

/** Go's rendering of whole-millisecond durations, as `--flag=...` takes it back ("40s", "1m30s", "500ms"). */
export function formatFlagDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}

function seconds(flag: string, raw: string): number {
  if (!/^\d{1,9}$/.test(raw.trim())) throw new ConfigError(`--${flag}: "${raw}" is not a whole number of seconds >= 0`);
  return Number(raw.trim());
}

export function parseNodeLifecycleFlags(raw: ReadonlyMap<string, string>): NodeLifecycleConfig {
  const d = NODE_LIFECYCLE_DEFAULTS;
  const grace = raw.has('node-monitor-grace-period') ? parseFlagDuration('node-monitor-grace-period', raw.get('node-monitor-grace-period')!) : d.nodeMonitorGracePeriodMs;
  const period = raw.has('node-monitor-period') ? parseFlagDuration('node-monitor-period', raw.get('node-monitor-period')!) : d.nodeMonitorPeriodMs;
  if (grace <= 0) throw new ConfigError(`--node-monitor-grace-period: must be more than 0, got "${raw.get('node-monitor-grace-period')}"`);
  if (period <= 0) throw new ConfigError(`--node-monitor-period: must be more than 0, got "${raw.get('node-monitor-period')}"`);
  // Health is only looked at every period: a period longer than the grace would miss it by that much.
  if (period > grace) throw new ConfigError(`--node-monitor-period (${formatFlagDuration(period)}) must not exceed --node-monitor-grace-period (${formatFlagDuration(grace)})`);
  const notReady = raw.get('default-not-ready-toleration-seconds');
  const unreachable = raw.get('default-unreachable-toleration-seconds');
  return {
    nodeMonitorGracePeriodMs: grace,
    nodeMonitorPeriodMs: period,
    defaultNotReadyTolerationSeconds: notReady === undefined ? d.defaultNotReadyTolerationSeconds : seconds('default-not-ready-toleration-seconds', notReady),
    defaultUnreachableTolerationSeconds: unreachable === undefined ? d.defaultUnreachableTolerationSeconds : seconds('default-unreachable-toleration-seconds', unreachable),
  };
}

/** The config as flag values (init/join record them in the state file). */
export function nodeLifecycleFlagValues(c: NodeLifecycleConfig): Record<NodeLifecycleFlag, string> {
  return {
    'node-monitor-grace-period': formatFlagDuration(c.nodeMonitorGracePeriodMs),
    'node-monitor-period': formatFlagDuration(c.nodeMonitorPeriodMs),
    'default-not-ready-toleration-seconds': String(c.defaultNotReadyTolerationSeconds),
    'default-unreachable-toleration-seconds': String(c.defaultUnreachableTolerationSeconds),
  };
}
