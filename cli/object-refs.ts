// Which objects a command names: `pods web api`, `pod/web deploy/api`, `pods,svc` (several
// types, for get). Pure; resolution against the server happens later.
import { UsageError } from './errors.js';

export interface ObjectRefs {
  /** Resource as typed ("po", "deployments.apps"). */
  readonly type: string;
  /** Empty = every object (subject to selectors). */
  readonly names: readonly string[];
}

export function parseObjectRefs(args: readonly string[], options: { allowManyTypes: boolean }): ObjectRefs[] {
  const [first, ...rest] = args;
  if (first === undefined) throw new UsageError('you must specify the type of resource (e.g. pods, deployments)');
  if (first.includes('/')) {
    const refs: ObjectRefs[] = [];
    for (const arg of args) {
      const slash = arg.indexOf('/');
      if (slash <= 0 || slash === arg.length - 1) throw new UsageError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (got "${arg}")`);
      const type = arg.slice(0, slash);
      const name = arg.slice(slash + 1);
      const existing = refs.find((r) => r.type === type);
      if (existing) refs[refs.indexOf(existing)] = { type, names: [...existing.names, name] };
      else refs.push({ type, names: [name] });
    }
    return refs;
  }
  const types = first.split(',').filter((t) => t !== '');
  if (types.length === 0) throw new UsageError('you must specify the type of resource');
  if (types.length > 1 && !options.allowManyTypes) throw new UsageError('only one resource type may be given here');
  return types.map((type) => ({ type, names: rest }));
}
