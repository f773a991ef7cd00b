// DefaultTolerationSeconds (as in Kubernetes): a new pod that does not already tolerate the
// not-ready and unreachable NoExecute taints gets tolerations for them with tolerationSeconds
// (300 by default), so its node may be unhealthy that long before the node controller evicts it.
// A toleration tolerates a taint here when its key is the taint's or empty, and its effect is
// NoExecute or empty (Kubernetes' rule). Runs on CREATE and UPDATE of pods, as in Kubernetes: an
// update (e.g. a re-apply of a manifest with its own tolerations) that leaves them out gets them
// back, instead of being refused for removing a toleration.
import type { KubeObject } from '../../../api/kind.js';
import type { AdmissionRequest, MutatingAdmissionPlugin } from '../pipeline/admission.js';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';

export interface DefaultTolerationSecondsOptions {
  /** Seconds a pod tolerates node.kubernetes.io/not-ready:NoExecute (default 300). */
  readonly notReadySeconds?: number;
  /** Seconds a pod tolerates node.kubernetes.io/unreachable:NoExecute (default 300). */
  readonly unreachableSeconds?: number;
}

export class DefaultTolerationSecondsConfigError extends Error {
  readonly code = 'DEFAULT_TOLERATION_SECONDS_CONFIG';
  override readonly name = 'DefaultTolerationSecondsConfigError';
}

function tolerates(tolerations: readonly unknown[], key: string): boolean {
  return tolerations.some((t) => {
    if (typeof t !== 'object' || t === null) return false;
    const { key: k, effect } = t as { key?: unknown; effect?: unknown };
    return (k === undefined || k === '' || k === key) && (effect === undefined || effect === '' || effect === 'NoExecute');
  });
}

export class DefaultTolerationSeconds implements MutatingAdmissionPlugin {
  readonly name = 'DefaultTolerationSeconds';
  private readonly notReady: number;
  private readonly unreachable: number;

  constructor(o: DefaultTolerationSecondsOptions = {}) {
    this.notReady = o.notReadySeconds ?? 300;
    this.unreachable = o.unreachableSeconds ?? 300;
    for (const [what, v] of [['notReadySeconds', this.notReady], ['unreachableSeconds', this.unreachable]] as const) {
      if (!Number.isSafeInteger(v) || v < 0) throw new DefaultTolerationSecondsConfigError(`${what}: must be an integer >= 0, got ${v}`);
    }
  }

  async admit(req: AdmissionRequest): Promise<KubeObject> {
    const pod = req.object;
    if (req.kind.resource !== 'pods' || req.operation === 'DELETE' || req.attrs.subresource !== '') return pod;
    if (typeof pod.spec !== 'object' || pod.spec === null) return pod;
    const spec = pod.spec as { tolerations?: unknown };
    if (spec.tolerations !== undefined && !Array.isArray(spec.tolerations)) return pod; // validation will say what is wrong
    const existing = (spec.tolerations ?? []) as unknown[];
    const added = [
      ...(tolerates(existing, TAINT_NODE_NOT_READY) ? [] : [{ key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: this.notReady }]),
      ...(tolerates(existing, TAINT_NODE_UNREACHABLE) ? [] : [{ key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: this.unreachable }]),
    ];
    if (added.length === 0) return pod;
    return { ...pod, spec: { ...pod.spec, tolerations: [...existing, ...added] } };
  }
}
