// `label` and `annotate` arguments: `key=value` sets, `key-` removes; an existing key keeps its
// value unless --overwrite (kubectl's rule). The result is a JSON merge patch of one map.
import { UsageError, CliError } from './errors.js';

export interface MapChanges {
  readonly set: ReadonlyMap<string, string>;
  readonly remove: readonly string[];
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export function isChangeArg(arg: string): boolean {
  return arg.includes('=') || arg.endsWith('-');
}

export function parseMapChanges(args: readonly string[], what: 'label' | 'annotation'): MapChanges {
  const set = new Map<string, string>();
  const remove: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq > 0) {
      const key = arg.slice(0, eq);
      if (!LABEL_KEY.test(key)) throw new UsageError(`invalid ${what} key "${key}"`);
      set.set(key, arg.slice(eq + 1));
    } else if (arg.endsWith('-') && arg.length > 1) {
      remove.push(arg.slice(0, -1));
    } else {
      throw new UsageError(`invalid ${what} spec "${arg}": use key=value to set, key- to remove`);
    }
  }
  for (const key of remove) {
    if (set.has(key)) throw new UsageError(`can not both modify and remove ${what} "${key}" in the same command`);
  }
  if (set.size === 0 && remove.length === 0) throw new UsageError(`at least one ${what} update is required`);
  return { set, remove };
}

/** The merge patch for the map (`{key: value}` / `{key: null}`), or undefined when nothing changes. */
export function mapPatch(
  current: Readonly<Record<string, string>> | undefined,
  changes: MapChanges,
  overwrite: boolean,
): Record<string, string | null> | undefined {
  const have = current ?? {};
  const patch: Record<string, string | null> = {};
  for (const [key, value] of changes.set) {
    const old = have[key];
    if (old !== undefined && old !== value && !overwrite) {
      throw new CliError('OVERWRITE', `'${key}' already has a value (${old}), and --overwrite is false`);
    }
    if (old !== value) patch[key] = value;
  }
  for (const key of changes.remove) {
    if (key in have) patch[key] = null;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
