// label and annotate are the same command over a different metadata map.
import { Command } from 'commander';
import type { KubeObject } from '../api/kind.js';
import type { CommandEnv } from './command-env.js';
import { AlreadyReported, UsageError } from './errors.js';
import { isChangeArg, mapPatch, parseMapChanges } from './metadata-changes.js';
import { parseObjectRefs } from './object-refs.js';
import { typeName } from './resources.js';

interface MapFlags {
  readonly overwrite?: boolean;
  readonly selector?: string;
  readonly all?: boolean;
  readonly dryRun?: boolean;
}

export interface MetadataMapCommandSpec {
  readonly name: 'label' | 'annotate';
  readonly field: 'labels' | 'annotations';
  readonly what: 'label' | 'annotation';
  readonly done: string; // "labeled"
  readonly description: string;
}

export function metadataMapCommand(env: CommandEnv, spec: MetadataMapCommandSpec): Command {
  return new Command(spec.name)
    .description(spec.description)
    .argument('<resource>', 'resource type, or type/name')
    .argument('<args...>', `object names, then ${spec.what}s: key=value sets, key- removes`)
    .option('--overwrite', `replace ${spec.what}s that already have a value`)
    .option('-l, --selector <selector>', 'every object matching a label selector')
    .option('--all', 'every object of the type in the namespace')
    .option('--dry-run', 'run every server stage but store nothing')
    .action(async (resource: string, args: string[], flags: MapFlags, command: Command) => {
      const firstChange = args.findIndex(isChangeArg);
      if (firstChange < 0) throw new UsageError(`at least one ${spec.what} update is required (key=value or key-)`);
      const changes = parseMapChanges(args.slice(firstChange), spec.what);
      await env.run(command, async (session) => {
        const api = await session.api();
        let failed = false;
        for (const ref of parseObjectRefs([resource, ...args.slice(0, firstChange)], { allowManyTypes: false })) {
          const info = await session.resolve(ref.type);
          const namespace = await session.objectNamespace(info);
          let objects: KubeObject[];
          if (ref.names.length > 0) {
            objects = [];
            for (const name of ref.names) {
              try {
                objects.push(await api.get(info.resource, namespace, name));
              } catch (err) {
                failed = true;
                env.report(err, { kind: info.kind, name });
              }
            }
          } else if (flags.selector !== undefined || flags.all) {
            const listNs = await session.listNamespace(info);
            objects = (await api.list(info.resource, { ...(listNs === undefined ? {} : { namespace: listNs }), ...(flags.selector ? { labelSelector: flags.selector } : {}) })).items;
          } else {
            throw new UsageError('give object names, -l <selector> or --all');
          }
          for (const object of objects) {
            const name = object.metadata.name ?? '';
            try {
              const patch = mapPatch(object.metadata[spec.field], changes, flags.overwrite === true);
              if (patch === undefined) {
                env.ctx.stdout(`${typeName(info)}/${name} not ${spec.done}\n`);
                continue;
              }
              // The resourceVersion makes the patch a compare-and-swap: --overwrite was checked against this version.
              const body = { metadata: { resourceVersion: object.metadata.resourceVersion, [spec.field]: patch } };
              await api.patch(info.resource, object.metadata.namespace ?? namespace, name, body, flags.dryRun === true);
              env.ctx.stdout(`${typeName(info)}/${name} ${spec.done}${flags.dryRun ? ' (dry run)' : ''}\n`);
            } catch (err) {
              failed = true;
              env.report(err, { kind: info.kind, name });
            }
          }
        }
        if (failed) throw new AlreadyReported();
      });
    });
}
