// Which object controls which: the controller reference in ownerReferences (at most one has
// controller: true). Used by the controllers and by shoalctl (a ReplicaSet's Deployment, a pod's
// DaemonSet).
import type { KubeObject, OwnerReference } from '../api/index.js';

export function controllerRef(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}

export function isControlledBy(o: KubeObject, owner: KubeObject): boolean {
  const ref = controllerRef(o);
  return ref !== undefined && ref.uid === owner.metadata.uid;
}
