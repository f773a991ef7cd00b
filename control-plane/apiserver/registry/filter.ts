// Which objects a list or watch selects: label and field selectors (parsed by api/selector).
import type { KindDefinition, KubeObject } from '../../../api/kind.js';
import { ApiError, Code } from '../errors.js';

export type ObjectFilter = (object: KubeObject) => boolean;

export const everything: ObjectFilter = () => true;

export function compileFilter(_kind: KindDefinition, labelSelector: string, fieldSelector: string): { filter: ObjectFilter; selects: boolean } {
  if (labelSelector.trim() === '' && fieldSelector.trim() === '') return { filter: everything, selects: false };
  throw new ApiError(Code.UNIMPLEMENTED, 'selectors are not wired yet');
}
