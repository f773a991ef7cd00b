// A JSON merge patch (RFC 7386) that turns the stored status into the new one: the fields the
// agent owns that the new status lacks become null (whatever the stored status holds, which the
// agent may not know after a failed write); fields others own (nominatedNodeName, qosClass) are
// left alone. Every nested value of a PodStatus sits in an array, and merge patches replace
// arrays whole, so nothing stale survives.
import type { PodStatus } from '../../api/index.js';

const AGENT_OWNED = ['phase', 'conditions', 'message', 'reason', 'hostIP', 'hostIPs', 'podIP', 'podIPs', 'startTime', 'initContainerStatuses', 'containerStatuses'] as const;

export function statusMergePatch(next: PodStatus): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...next };
  for (const k of AGENT_OWNED) if (!(k in next)) patch[k] = null;
  return patch;
}
