// VolumeBinding: a pod whose local volume already lives on a node must run on that node.
// Convention (until StatefulSet volumes land): the node that holds local volumes lists them in
// its annotation `volumes.shoal.dev/local-claims` as comma-separated "namespace/claimName"; a
// pod's persistentVolumeClaim volume names the claim. A claim no node lists is not created yet:
// any node will do (the agent that first runs the pod creates the volume and annotates its node).
import type { Node } from '../../../api/index.js';
import type { FilterPlugin, PreFilterPlugin, Snapshot } from '../framework/plugin.js';
import type { PodInfo } from '../framework/pod-info.js';
import { SKIP, SUCCESS, unschedulable } from '../framework/status.js';

export const NAME = 'VolumeBinding';
export const LOCAL_CLAIMS_ANNOTATION = 'volumes.shoal.dev/local-claims';
export const REASON = "node(s) didn't hold the pod's local volume";

/** "namespace/claim" of every persistentVolumeClaim volume of the pod. */
export function podClaims(pod: PodInfo): string[] {
  return (pod.pod.spec.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [`${pod.namespace}/${v.persistentVolumeClaim.claimName}`] : []));
}

export function nodeClaims(node: Node): string[] {
  const a = node.metadata.annotations?.[LOCAL_CLAIMS_ANNOTATION];
  return a === undefined ? [] : a.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** claim → the node holding it, for the claims of the pod that some node holds. */
export function claimHomes(claims: readonly string[], snapshot: Snapshot): Map<string, string> {
  const wanted = new Set(claims);
  const homes = new Map<string, string>();
  for (const n of snapshot.nodes) for (const c of nodeClaims(n.node)) if (wanted.has(c)) homes.set(c, n.name);
  return homes;
}

const KEY = NAME;

export const volumeBinding: PreFilterPlugin & FilterPlugin = {
  name: NAME,
  preFilter(state, pod, snapshot) {
    const claims = podClaims(pod);
    if (claims.length === 0) return SKIP;
    const homes = new Set(claimHomes(claims, snapshot).values());
    if (homes.size === 0) return SKIP;
    // Two claims on two different nodes: no node holds both.
    if (homes.size > 1) return unschedulable(NAME, "pod's local volumes are on different nodes");
    state.set(KEY, [...homes][0]);
    return SUCCESS;
  },
  filter(state, _pod, node) {
    const home = state.get(KEY) as string | undefined;
    return home === undefined || home === node.name ? SUCCESS : unschedulable(NAME, REASON);
  },
};
