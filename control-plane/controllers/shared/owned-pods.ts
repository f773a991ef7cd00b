// Pod events for controllers whose pods name them as controller by kind and name (Job,
// DaemonSet, StatefulSet): the owner's key is queued and its expectations are told what the
// cache has now seen (a creation, or a deletion — marked or done).
import type { Pod } from '../../../api/index.js';
import { objectKey } from '../../../client/index.js';
import type { Informer } from '../../../client/index.js';
import type { Expectations } from './expectations.js';
import { controllerRef } from './owner-refs.js';
import type { WorkQueue } from './work-queue.js';

export function trackOwnedPods(pods: Informer<Pod>, kind: string, queue: WorkQueue, expectations: Expectations): void {
  const owner = (p: Pod): string | undefined => {
    const ref = controllerRef(p);
    return ref?.kind === kind ? `${p.metadata.namespace ?? ''}/${ref.name}` : undefined;
  };
  pods.addHandlers({
    onAdd: (p) => {
      const k = owner(p);
      if (k === undefined) return;
      expectations.creationObserved(k);
      queue.add(k);
    },
    onUpdate: (old, p) => {
      const k = owner(p);
      if (k === undefined || old === p) return;
      if (p.metadata.deletionTimestamp !== undefined && old.metadata.deletionTimestamp === undefined) expectations.deletionObserved(k, objectKey(p));
      queue.add(k);
    },
    onDelete: (p) => {
      const k = owner(p);
      if (k === undefined) return;
      expectations.deletionObserved(k, objectKey(p));
      queue.add(k);
    },
  });
}
