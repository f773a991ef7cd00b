// The scheduler's settings, with defaults, validated at construction (a bad value names itself).
import { DEFAULT_SCHEDULER_NAME } from '../../api/index.js';
import { DEFAULT_SCORE_WEIGHTS } from './plugins/index.js';

export interface SchedulerConfig {
  /** Only pods whose spec.schedulerName is this are scheduled. */
  readonly schedulerName: string;
  /** Score plugin name → weight 0..100 (0 = off). Missing names keep their defaults. */
  readonly weights: Readonly<Record<string, number>>;
  /** 0 = adaptive (as kube-scheduler); else the share of nodes to filter once enough fit. */
  readonly percentageOfNodesToScore: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Longest stay in the unschedulable pool without a retry. */
  readonly maxUnschedulableMs: number;
  /** How often backoffs and the pool are checked. */
  readonly flushIntervalMs: number;
  /** Binds in flight at once (the cycle itself is synchronous; binds overlap). */
  readonly parallelBinds: number;
  /** An assumed pod whose bind succeeded but that the informer never shows bound is dropped after this. */
  readonly assumedTtlMs: number;
  /** Record a Normal "Scheduled" event per bound pod (as kube-scheduler). */
  readonly recordScheduledEvents: boolean;
}

export const DEFAULT_CONFIG: SchedulerConfig = {
  schedulerName: DEFAULT_SCHEDULER_NAME,
  weights: DEFAULT_SCORE_WEIGHTS,
  percentageOfNodesToScore: 0,
  initialBackoffMs: 1000,
  maxBackoffMs: 10_000,
  maxUnschedulableMs: 60_000,
  flushIntervalMs: 1000,
  parallelBinds: 64,
  // As kube-scheduler (durationToExpireAssumedPod): a loaded API server can deliver the bound pod
  // much later than the bind reply; releasing too early would let the next pods oversubscribe.
  assumedTtlMs: 15 * 60_000,
  recordScheduledEvents: true,
};

export class SchedulerConfigError extends Error {
  readonly code = 'InvalidSchedulerConfig';
  constructor(message: string) {
    super(message);
    this.name = 'SchedulerConfigError';
  }
}

export function schedulerConfig(partial: Partial<SchedulerConfig> = {}): SchedulerConfig {
  const c: SchedulerConfig = { ...DEFAULT_CONFIG, ...partial, weights: { ...DEFAULT_CONFIG.weights, ...(partial.weights ?? {}) } };
  if (c.schedulerName === '') throw new SchedulerConfigError('schedulerName: must not be empty');
  const positive = ['initialBackoffMs', 'maxBackoffMs', 'maxUnschedulableMs', 'flushIntervalMs', 'parallelBinds', 'assumedTtlMs'] as const;
  for (const k of positive) if (!(Number.isFinite(c[k]) && c[k] > 0)) throw new SchedulerConfigError(`${k}: must be a positive number, got ${c[k]}`);
  if (!Number.isInteger(c.parallelBinds)) throw new SchedulerConfigError(`parallelBinds: must be an integer, got ${c.parallelBinds}`);
  if (c.maxBackoffMs < c.initialBackoffMs) throw new SchedulerConfigError(`maxBackoffMs (${c.maxBackoffMs}) must be >= initialBackoffMs (${c.initialBackoffMs})`);
  return c;
}
