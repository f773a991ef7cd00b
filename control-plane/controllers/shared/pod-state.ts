// What controllers read from a pod's status: active, ready, available (ready for minReadySeconds).
import type { Pod } from '../../../api/index.js';

/** Not finished and not being deleted: it counts towards replicas. */
export function isPodActive(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && p.metadata.deletionTimestamp === undefined;
}

function readyCondition(p: Pod): { status: string; lastTransitionTime?: string | undefined } | undefined {
  return p.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(p: Pod): boolean {
  return readyCondition(p)?.status === 'True';
}

/** Ready for at least minReadySeconds at `nowMs`. */
export function isPodAvailable(p: Pod, minReadySeconds: number, nowMs: number): boolean {
  const c = readyCondition(p);
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = c.lastTransitionTime === undefined ? NaN : Date.parse(c.lastTransitionTime);
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= nowMs;
}

/** ms until a ready pod becomes available (0 when it is, undefined when it is not ready). */
export function msUntilAvailable(p: Pod, minReadySeconds: number, nowMs: number): number | undefined {
  const c = readyCondition(p);
  if (c?.status !== 'True') return undefined;
  const since = c.lastTransitionTime === undefined ? NaN : Date.parse(c.lastTransitionTime);
  if (minReadySeconds <= 0 || Number.isNaN(since)) return 0;
  return Math.max(0, since + minReadySeconds * 1000 - nowMs);
}
