// Which node runs which pod, and which objects those pods reference: the node authorizer's graph,
// kept from pod events (upsert on add/update, delete on delete). Pure in-memory state.
// An unbound pod (no spec.nodeName) grants nothing to anyone. Objects are counted per node, so a
// secret shared by two pods on one node stays readable until both are gone.
import type { PodLike, ReferencedKind } from './pod-references.js';
import { REFERENCED_KINDS, podReferences } from './pod-references.js';

const podKey = (namespace: string, name: string): string => `${namespace}/${name}`;
const objectKey = (kind: ReferencedKind, namespace: string, name: string): string => `${kind}/${namespace}/${name}`;

interface PodEntry {
  readonly node: string;
  readonly objects: readonly string[];
}

export class NodeGraph {
  private readonly pods = new Map<string, PodEntry>();
  /** object key → node → number of that node's pods referencing it. */
  private readonly refs = new Map<string, Map<string, number>>();

  upsertPod(pod: PodLike): void {
    const ns = pod.metadata.namespace ?? 'default';
    this.deletePod(ns, pod.metadata.name);
    const node = pod.spec?.nodeName ?? '';
    if (node === '') return;
    const refs = podReferences(pod);
    const objects = REFERENCED_KINDS.flatMap((kind) => refs[kind].map((name) => objectKey(kind, ns, name)));
    this.pods.set(podKey(ns, pod.metadata.name), { node, objects });
    for (const o of objects) {
      let perNode = this.refs.get(o);
      if (perNode === undefined) this.refs.set(o, (perNode = new Map()));
      perNode.set(node, (perNode.get(node) ?? 0) + 1);
    }
  }

  deletePod(namespace: string, name: string): void {
    const key = podKey(namespace, name);
    const old = this.pods.get(key);
    if (old === undefined) return;
    this.pods.delete(key);
    for (const o of old.objects) {
      const perNode = this.refs.get(o);
      if (perNode === undefined) continue;
      const n = (perNode.get(old.node) ?? 0) - 1;
      if (n > 0) perNode.set(old.node, n);
      else perNode.delete(old.node);
      if (perNode.size === 0) this.refs.delete(o);
    }
  }

  /** The node the pod is bound to, or undefined (unknown or unbound pod). */
  nodeOfPod(namespace: string, name: string): string | undefined {
    return this.pods.get(podKey(namespace, name))?.node;
  }

  /** Whether a pod bound to `node` references the object. */
  nodeReferences(node: string, kind: ReferencedKind, namespace: string, name: string): boolean {
    return (this.refs.get(objectKey(kind, namespace, name))?.get(node) ?? 0) > 0;
  }

  /** Number of bound pods known, for tests and metrics. */
  podCount(): number {
    return this.pods.size;
  }
}
