// The merge patches kubectl sends for `rollout pause|resume|restart` (pure).

export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

export const pausePatch = { spec: { paused: true } } as const;
export const resumePatch = { spec: { paused: null } } as const;

/** RFC 3339 to the second, as kubectl writes restartedAt. */
export function restartedAtValue(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A new template annotation: every pod is replaced by the workload's rolling update. */
export function restartPatch(now: Date): { spec: { template: { metadata: { annotations: Record<string, string> } } } } {
  return { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAtValue(now) } } } } };
}
