// Field paths as Kubernetes prints them: `spec.containers[0].image`, `metadata.labels[app]`.
// A path segment written as `[key]` is a map key (only this package's checks make those).

export type PathSegment = string | number;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && seg.startsWith('[') && seg.endsWith(']')) out += seg;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** A map-key path segment: `mapKey('app')` prints as `[app]`. */
export const mapKey = (key: string): string => `[${key}]`;
