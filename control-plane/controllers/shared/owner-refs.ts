// ownerReferences helpers: the controller reference, and the claim rule that decides which
// objects a controller adopts, keeps and releases (client-go's ControllerRefManager), as a pure
// function so the controllers only apply its answer.
import type { KubeObject, OwnerReference } from '../../../api/kind.js';
import { controllerRef } from '../../../workloads/index.js';

export { controllerRef, isControlledBy } from '../../../workloads/index.js';

/** The controller reference an owner puts on what it creates or adopts. */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** The object with `owner`'s controller reference added. */
export function withControllerRef<T extends KubeObject>(o: T, owner: KubeObject): T {
  const refs = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
  return { ...o, metadata: { ...o.metadata, ownerReferences: [...refs, newControllerRef(owner)] } };
}

/** The object without any reference to `ownerUid`. */
export function withoutOwnerRef<T extends KubeObject>(o: T, ownerUid: string): T {
  const refs = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
  const metadata = { ...o.metadata, ownerReferences: refs.length > 0 ? refs : undefined };
  if (refs.length === 0) delete metadata.ownerReferences;
  return { ...o, metadata };
}

export const isBeingDeleted = (o: KubeObject): boolean => o.metadata.deletionTimestamp !== undefined;

export interface Claim<T extends KubeObject> {
  /** Ours and matching: the objects the controller manages now (adopted ones included). */
  readonly owned: T[];
  /** Orphans that match: give them our controller reference. */
  readonly adopt: T[];
  /** Ours but no longer matching: drop our reference. */
  readonly release: T[];
}

/**
 * Which of `candidates` (same namespace) belong to `owner`. Objects controlled by someone else
 * are never touched; an owner being deleted adopts nothing and releases nothing; objects being
 * deleted are not adopted.
 */
export function claim<T extends KubeObject>(owner: KubeObject, candidates: readonly T[], matches: (o: T) => boolean): Claim<T> {
  const owned: T[] = [];
  const adopt: T[] = [];
  const release: T[] = [];
  const ownerGone = isBeingDeleted(owner);
  for (const o of candidates) {
    const ref = controllerRef(o);
    if (ref !== undefined) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches(o)) owned.push(o);
      else if (!ownerGone) release.push(o);
      continue;
    }
    if (ownerGone || isBeingDeleted(o) || !matches(o)) continue;
    adopt.push(o);
    owned.push(o);
  }
  return { owned, adopt, release };
}
