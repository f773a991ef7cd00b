// Taint/toleration pairing, as Kubernetes: a toleration with no effect matches every effect;
// operator Exists matches any value (and, with no key, every taint).
import type { Taint, Toleration } from '../../../api/index.js';

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/** The taints with one of `effects` that no toleration matches. */
export function untolerated(taints: readonly Taint[], tolerations: readonly Toleration[], effects: readonly string[]): Taint[] {
  return taints.filter((taint) => effects.includes(taint.effect) && !tolerations.some((t) => tolerates(t, taint)));
}
