// What api/ tells shoalctl without a server: table columns per resource and the resource names
// completion offers.
import type { TableColumn } from '../api/kind.js';
import { KINDS } from '../api/index.js';

export function columnsFor(resource: string): readonly TableColumn[] | undefined {
  return KINDS.find((k) => k.resource === resource)?.columns;
}

export function knownResourceNames(): readonly string[] {
  return KINDS.flatMap((k) => [k.resource, k.singular, ...k.shortNames]).sort();
}
