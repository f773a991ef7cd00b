// The pod-template-hash: names a Deployment's ReplicaSet after its pod template, like
// Kubernetes (FNV-1a 32 of the template, collisionCount mixed in, digits mapped to an alphabet
// without vowels). Canonical JSON (sorted keys) makes it independent of key order.
import type { PodTemplateSpec } from '../api/index.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  const bytes = new TextEncoder().encode(s);
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function podTemplateHash(template: PodTemplateSpec, collisionCount = 0): string {
  const digits = String(fnv1a32(canonicalJson(withoutHashLabel(template)) + (collisionCount > 0 ? `#${collisionCount}` : '')));
  return [...digits].map((c) => ALPHABET[c.charCodeAt(0) % ALPHABET.length] ?? 'b').join('');
}

/** The template without the pod-template-hash label (what a Deployment's template looks like). */
export function withoutHashLabel(template: PodTemplateSpec): PodTemplateSpec {
  const labels = template.metadata?.labels;
  if (labels === undefined || !(POD_TEMPLATE_HASH_LABEL in labels)) return template;
  const rest = { ...labels };
  delete rest[POD_TEMPLATE_HASH_LABEL];
  return { ...template, metadata: { ...template.metadata, labels: rest } };
}

/** Equal templates, ignoring the hash label (a ReplicaSet's template vs its Deployment's). */
export function templatesEqual(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return canonicalJson(withoutHashLabel(a)) === canonicalJson(withoutHashLabel(b));
}
