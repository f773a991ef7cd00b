// The pure decisions of the garbage collector.
import type { KubeObject, OwnerReference } from '../../../api/kind.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** What an owner reference resolved to. */
export type OwnerState = 'present' | 'absent' | 'unknown';

export type DependentDecision =
  | { readonly action: 'keep' }
  /** Every owner is gone: delete the dependent. */
  | { readonly action: 'delete' }
  /** Some owners are gone: drop just those references. */
  | { readonly action: 'dropRefs'; readonly uids: readonly string[] };

/** A dependent with owners: kept while any owner is present (or cannot be checked). */
export function decideDependent(refs: readonly OwnerReference[], state: (r: OwnerReference) => OwnerState): DependentDecision {
  if (refs.length === 0) return { action: 'keep' };
  const absent = refs.filter((r) => state(r) === 'absent');
  if (absent.length === 0) return { action: 'keep' };
  if (absent.length === refs.length) return { action: 'delete' };
  return { action: 'dropRefs', uids: absent.map((r) => r.uid) };
}

/** Which finalizer of an owner being deleted the collector must work off, if any (orphan first). */
export function pendingFinalizer(o: KubeObject): typeof FINALIZER_ORPHAN | typeof FINALIZER_FOREGROUND | undefined {
  if (o.metadata.deletionTimestamp === undefined) return undefined;
  const f = o.metadata.finalizers ?? [];
  if (f.includes(FINALIZER_ORPHAN)) return FINALIZER_ORPHAN;
  if (f.includes(FINALIZER_FOREGROUND)) return FINALIZER_FOREGROUND;
  return undefined;
}

export function withoutFinalizer<T extends KubeObject>(o: T, finalizer: string): T {
  const rest = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  const metadata = { ...o.metadata, finalizers: rest };
  return { ...o, metadata };
}
