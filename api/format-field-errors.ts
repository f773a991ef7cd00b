// The message the API server returns for an invalid object, as Kubernetes words it:
// `Pod "web" is invalid: [spec.containers[0].image: Required value, spec.restartPolicy: ...]`.
import type { FieldError } from './kind.js';

export function formatFieldError(e: FieldError): string {
  return e.field === '' ? e.detail : `${e.field}: ${e.detail}`;
}

/** `Pod "web" is invalid: a: Required value; b: Invalid value: ...`. */
export function formatFieldErrors(kind: string, name: string | undefined, errors: readonly FieldError[]): string {
  const subject = name ? `${kind} ${JSON.stringify(name)}` : kind;
  return `${subject} is invalid: ${errors.map(formatFieldError).join('; ')}`;
}
