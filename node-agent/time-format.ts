// Kubernetes timestamps: RFC 3339 with whole seconds, UTC.
export const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
