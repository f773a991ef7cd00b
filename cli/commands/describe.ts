// shoalctl describe: readable sections per kind and the object's recent events.
import { Command } from 'commander';
import type { KubeObject } from '../../api/kind.js';
import type { CommandEnv } from '../command-env.js';
import { describeObject, eventSelector } from '../describe/describe.js';
import { AlreadyReported, toCliError } from '../errors.js';
import { parseObjectRefs } from '../object-refs.js';
import type { ResourceInfo } from '../resources.js';
import type { Session } from '../session.js';
import { sortByNamespaceAndName } from './get.js';

export function describeCommand(env: CommandEnv): Command {
  return new Command('describe')
    .description('Show details of an object or group of objects, with their recent events')
    .argument('<resource>', 'resource type, or type/name')
    .argument('[name...]', 'object names (all in the namespace when none)')
    .option('-l, --selector <selector>', 'label selector')
    .action(async (resource: string, names: string[], flags: { selector?: string }, command: Command) => {
      await env.run(command, async (session) => {
        const api = await session.api();
        let failed = false;
        const blocks: string[] = [];
        for (const ref of parseObjectRefs([resource, ...names], { allowManyTypes: false })) {
          const info = await session.resolve(ref.type);
          const objects: KubeObject[] = [];
          if (ref.names.length === 0) {
            const ns = await session.listNamespace(info);
            const list = await api.list(info.resource, { ...(ns === undefined ? {} : { namespace: ns }), ...(flags.selector ? { labelSelector: flags.selector } : {}) });
            objects.push(...sortByNamespaceAndName(list.items));
          }
          for (const name of ref.names) {
            try {
              objects.push(await api.get(info.resource, await session.objectNamespace(info), name));
            } catch (err) {
              failed = true;
              env.report(err, { kind: info.kind, name });
            }
          }
          for (const object of objects) {
            const events = info.kind === 'Event' ? undefined : await eventsFor(session, object);
            blocks.push(describeObject(object, info.namespaced, events, env.ctx.now()));
          }
          if (objects.length === 0 && ref.names.length === 0) env.ctx.stderr('No resources found\n');
        }
        env.ctx.stdout(blocks.join('\n\n'));
        if (failed) throw new AlreadyReported();
      });
    });
}

function involves(event: KubeObject, object: KubeObject): boolean {
  const ref = (event.involvedObject ?? {}) as Record<string, unknown>;
  return ref.name === object.metadata.name && ref.kind === object.kind && (ref.namespace ?? '') === (object.metadata.namespace ?? '');
}

/**
 * The object's events: by field selector, or — when the server does not index involvedObject
 * fields — every event of the namespace filtered here. undefined when events cannot be read.
 */
async function eventsFor(session: Session, object: KubeObject): Promise<KubeObject[] | undefined> {
  const api = await session.api();
  let events: ResourceInfo;
  try {
    events = await session.resolve('events');
  } catch {
    return undefined; // a server without events
  }
  const namespace = events.namespaced ? object.metadata.namespace || undefined : undefined;
  const scope = namespace === undefined ? {} : { namespace };
  try {
    return (await api.list(events.resource, { ...scope, fieldSelector: eventSelector(object) })).items.filter((e) => involves(e, object));
  } catch (err) {
    if (toCliError(err).code !== 'INVALID_ARGUMENT') return undefined;
    return (await api.list(events.resource, scope)).items.filter((e) => involves(e, object));
  }
}
