// The objects a pod needs from the API to run: Secrets, ConfigMaps and PersistentVolumeClaims named
// in its volumes, its containers' env/envFrom and its image pull secrets, and its ServiceAccount
// (for the pod's token). The node authorizer lets a node read exactly these for the pods bound to it.

/** The parts of a Pod the graph reads (Kubernetes' core/v1 shape). */
export interface PodLike {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: {
    readonly nodeName?: string;
    readonly volumes?: readonly VolumeLike[];
    readonly containers?: readonly ContainerLike[];
    readonly initContainers?: readonly ContainerLike[];
    readonly ephemeralContainers?: readonly ContainerLike[];
    readonly imagePullSecrets?: readonly { readonly name?: string }[];
    readonly serviceAccountName?: string;
  };
}

interface NameRef {
  readonly name?: string;
}

interface VolumeLike {
  readonly secret?: { readonly secretName?: string };
  readonly configMap?: NameRef;
  readonly persistentVolumeClaim?: { readonly claimName?: string };
  readonly projected?: { readonly sources?: readonly { readonly secret?: NameRef; readonly configMap?: NameRef }[] };
  readonly csi?: { readonly nodePublishSecretRef?: NameRef };
}

interface ContainerLike {
  readonly env?: readonly { readonly valueFrom?: { readonly secretKeyRef?: NameRef; readonly configMapKeyRef?: NameRef } }[];
  readonly envFrom?: readonly { readonly secretRef?: NameRef; readonly configMapRef?: NameRef }[];
}

export const REFERENCED_KINDS = ['secrets', 'configmaps', 'persistentvolumeclaims', 'serviceaccounts'] as const;
export type ReferencedKind = (typeof REFERENCED_KINDS)[number];

export type PodReferences = Record<ReferencedKind, string[]>;

/** The names (in the pod's namespace) each kind is referenced by; sorted, no repeats. */
export function podReferences(pod: PodLike): PodReferences {
  const found: Record<ReferencedKind, Set<string>> = { secrets: new Set(), configmaps: new Set(), persistentvolumeclaims: new Set(), serviceaccounts: new Set() };
  const add = (kind: ReferencedKind, name: string | undefined): void => {
    if (name !== undefined && name !== '') found[kind].add(name);
  };
  const spec = pod.spec ?? {};
  for (const s of spec.imagePullSecrets ?? []) add('secrets', s.name);
  add('serviceaccounts', spec.serviceAccountName);
  for (const v of spec.volumes ?? []) {
    add('secrets', v.secret?.secretName);
    add('configmaps', v.configMap?.name);
    add('persistentvolumeclaims', v.persistentVolumeClaim?.claimName);
    add('secrets', v.csi?.nodePublishSecretRef?.name);
    for (const src of v.projected?.sources ?? []) {
      add('secrets', src.secret?.name);
      add('configmaps', src.configMap?.name);
    }
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c.env ?? []) {
      add('secrets', e.valueFrom?.secretKeyRef?.name);
      add('configmaps', e.valueFrom?.configMapKeyRef?.name);
    }
    for (const e of c.envFrom ?? []) {
      add('secrets', e.secretRef?.name);
      add('configmaps', e.configMapRef?.name);
    }
  }
  const sorted = (kind: ReferencedKind): string[] => [...found[kind]].sort();
  return { secrets: sorted('secrets'), configmaps: sorted('configmaps'), persistentvolumeclaims: sorted('persistentvolumeclaims'), serviceaccounts: sorted('serviceaccounts') };
}
