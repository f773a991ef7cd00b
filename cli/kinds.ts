// What api/ tells shoalctl without a server: table columns per resource and the resource names
// completion offers.
import type { TableColumn } from '../api/kind.js';

export function columnsFor(_resource: string): readonly TableColumn[] | undefined {
  return undefined;
}

export function knownResourceNames(): readonly string[] {
  return [];
}
