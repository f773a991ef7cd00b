// Stage 4: the kind's own rules. validate() checks and defaults the object (every error at
// once); on update validateUpdate() adds the rules that compare with the stored object
// (immutable fields). Any error: INVALID_ARGUMENT listing each "field.path: rule", nothing stored.
import type { FieldError, KindDefinition, KubeObject } from '../../../api/kind.js';
import { invalid } from '../errors.js';

export function validateObject(kind: KindDefinition, object: KubeObject, old: KubeObject | undefined): KubeObject {
  const v = kind.validate(object);
  if (!v.ok) throw invalid(kind.kind, object.metadata?.name, v.errors);
  if (old !== undefined) {
    const errors: readonly FieldError[] = kind.validateUpdate(v.object, old);
    if (errors.length > 0) throw invalid(kind.kind, object.metadata?.name, errors);
  }
  return v.object;
}
