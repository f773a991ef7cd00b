// A JSON merge patch (RFC 7386) that turns the stored status into the new one: top-level fields
// the new status lacks become null. Every nested value of a PodStatus sits in an array, and merge
// patches replace arrays whole, so nothing stale survives.
import type { PodStatus } from '../../api/index.js';

export function statusMergePatch(old: PodStatus | undefined, next: PodStatus): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...next };
  for (const k of Object.keys(old ?? {})) if (!(k in next)) patch[k] = null;
  return patch;
}
