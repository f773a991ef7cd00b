// Timestamps as Kubernetes writes them in conditions and events: RFC 3339, whole seconds.

export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
