// The kinds this server serves, looked up by plural resource name (api/ defines them).
import type { KindDefinition } from '../../api/kind.js';

export interface KindLookup {
  byResource(resource: string): KindDefinition | undefined;
  all(): readonly KindDefinition[];
}

export function kindLookup(kinds: readonly KindDefinition[]): KindLookup {
  const map = new Map(kinds.map((k) => [k.resource, k]));
  return { byResource: (r) => map.get(r), all: () => kinds };
}
