// Stage 3: admission. Mutating plugins run first, in order, each seeing the previous one's
// output; then validating plugins, which may only refuse. A plugin refuses by throwing an
// ApiError. Plugins see the object before the kind's validation and defaulting (stage 4).
//
// The chain itself (which plugins, in which order) is admission/default-chain.ts. Side effects
// outside the object (a cluster IP taken) follow the write through WriteEffects.
import type { KindDefinition, KubeObject } from '../../../api/kind.js';
import type { RequestAttributes } from '../request.js';
import type { WriteEffects } from './write-effects.js';

export const Operation = { CREATE: 'CREATE', UPDATE: 'UPDATE', DELETE: 'DELETE' } as const;
export type Operation = (typeof Operation)[keyof typeof Operation];

export interface AdmissionRequest {
  readonly attrs: RequestAttributes;
  readonly operation: Operation;
  readonly kind: KindDefinition;
  /** The object as it will be written (for DELETE: the stored object). */
  readonly object: KubeObject;
  /** The stored object for UPDATE and DELETE. */
  readonly oldObject: KubeObject | undefined;
  /** Where a plugin registers the undo/finish of side effects outside the object (absent: none can be made safely). */
  readonly effects?: WriteEffects;
}

export interface MutatingAdmissionPlugin {
  readonly name: string;
  /** Returns the object to continue with (the input or a changed copy). */
  admit(req: AdmissionRequest): Promise<KubeObject>;
}

export interface ValidatingAdmissionPlugin {
  readonly name: string;
  /** Throws ApiError to refuse. */
  validate(req: AdmissionRequest): Promise<void>;
}

export interface AdmissionChain {
  readonly mutating: readonly MutatingAdmissionPlugin[];
  readonly validating: readonly ValidatingAdmissionPlugin[];
}

export async function admit(chain: AdmissionChain, req: AdmissionRequest): Promise<KubeObject> {
  let object = req.object;
  for (const p of chain.mutating) object = await p.admit({ ...req, object });
  for (const p of chain.validating) await p.validate({ ...req, object });
  return object;
}
