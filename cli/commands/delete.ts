// shoalctl delete: by file (-f), by name, by label selector (-l) or --all; --grace-period, --now,
// --wait (until the objects are gone, bounded by --timeout), --ignore-not-found.
import { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { AlreadyReported, CliError, UsageError, toCliError } from '../errors.js';
import { forEachManifest } from '../manifest-runner.js';
import { parseObjectRefs } from '../object-refs.js';
import type { ResourceInfo } from '../resources.js';
import { parseTimeout } from '../session.js';
import type { Session } from '../session.js';
import type { ShoalApi } from '../shoal-api.js';
import { collect } from '../manifest-runner.js';

interface DeleteFlags {
  readonly filename?: string[];
  readonly recursive?: boolean;
  readonly selector?: string;
  readonly all?: boolean;
  readonly gracePeriod?: string;
  readonly now?: boolean;
  readonly wait?: boolean;
  readonly timeout: string;
  readonly ignoreNotFound?: boolean;
  readonly dryRun?: boolean;
}

interface Target {
  readonly info: ResourceInfo;
  readonly namespace: string;
  readonly name: string;
}

const POLL_MS = 200;

export function deleteCommand(env: CommandEnv): Command {
  return new Command('delete')
    .description('Delete objects by file, by name, by label selector or all of a type')
    .argument('[resource]', 'resource type, or type/name')
    .argument('[name...]', 'object names')
    .option('-f, --filename <path>', 'delete the objects in a file, directory or stdin (repeatable)', collect)
    .option('-R, --recursive', 'descend into directories given with -f')
    .option('-l, --selector <selector>', 'delete the objects matching a label selector')
    .option('--all', 'delete every object of the type in the namespace')
    .option('--grace-period <seconds>', 'seconds the object gets to terminate (overrides its own); 0 = immediately')
    .option('--now', 'delete immediately (same as --grace-period=0)')
    .option('--wait', 'wait until the objects are really gone (finalizers, grace periods)')
    .option('--timeout <duration>', 'how long --wait waits', '60s')
    .option('--ignore-not-found', 'treat "not found" as success')
    .option('--dry-run', 'run every server stage but delete nothing')
    .action(async (resource: string | undefined, names: string[], flags: DeleteFlags, command: Command) => {
      await env.run(command, async (session) => {
        const grace = gracePeriod(flags);
        const api = await session.api();
        const targets: Target[] = [];
        let failed = false;
        const remove = async (target: Target): Promise<void> => {
          try {
            await api.delete(target.info.resource, target.namespace, target.name, { ...(grace === undefined ? {} : { gracePeriodSeconds: grace }), dryRun: flags.dryRun === true });
            env.ctx.stdout(`${target.info.singular} "${target.name}" deleted${flags.dryRun ? ' (dry run)' : ''}\n`);
            targets.push(target);
          } catch (err) {
            if (flags.ignoreNotFound && toCliError(err).code === 'NOT_FOUND') return;
            throw err;
          }
        };
        if (flags.filename && flags.filename.length > 0) {
          if (resource !== undefined) throw new UsageError('give either -f or a resource type, not both');
          try {
            await forEachManifest(env, session, flags, ({ info, object }) =>
              remove({ info, namespace: object.metadata.namespace ?? '', name: object.metadata.name ?? '' }),
            );
          } catch (err) {
            if (!(err instanceof AlreadyReported)) throw err;
            failed = true;
          }
        } else {
          if (resource === undefined) throw new UsageError('you must specify the type of resource to delete, or -f');
          for (const ref of parseObjectRefs([resource, ...names], { allowManyTypes: true })) {
            const info = await session.resolve(ref.type);
            for (const name of await namesToDelete(session, api, info, ref.names, flags)) {
              try {
                await remove({ info, namespace: await session.objectNamespace(info), name });
              } catch (err) {
                failed = true;
                env.report(err, { kind: info.kind, name });
              }
            }
          }
        }
        if (flags.wait && !flags.dryRun) await waitGone(env, api, targets, parseTimeout(flags.timeout) ?? 60_000);
        if (failed) throw new AlreadyReported();
      });
    });
}

function gracePeriod(flags: DeleteFlags): number | undefined {
  if (flags.now) {
    if (flags.gracePeriod !== undefined) throw new UsageError('--now and --grace-period cannot be given together');
    return 0;
  }
  if (flags.gracePeriod === undefined) return undefined;
  const n = Number(flags.gracePeriod);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--grace-period must be a whole number of seconds >= 0, got "${flags.gracePeriod}"`);
  return n;
}

async function namesToDelete(session: Session, api: ShoalApi, info: ResourceInfo, names: readonly string[], flags: DeleteFlags): Promise<readonly string[]> {
  const bySelection = flags.selector !== undefined || flags.all === true;
  if (names.length > 0 && bySelection) throw new UsageError('names cannot be given together with -l or --all');
  if (names.length > 0) return names;
  if (!bySelection) throw new UsageError(`resource(s) were provided, but no name was specified: give names, -l <selector> or --all`);
  const namespace = info.namespaced ? await session.namespace() : undefined;
  const list = await api.list(info.resource, { ...(namespace === undefined ? {} : { namespace }), ...(flags.selector ? { labelSelector: flags.selector } : {}) });
  if (list.items.length === 0) session.ctx.stderr('No resources found\n');
  return list.items.map((o) => o.metadata.name ?? '');
}

/** Polls each object until it is gone (NOT_FOUND); bounded by the timeout. */
async function waitGone(env: CommandEnv, api: ShoalApi, targets: readonly Target[], timeoutMs: number): Promise<void> {
  const rounds = Math.max(1, Math.ceil(timeoutMs / POLL_MS));
  for (const target of targets) {
    let gone = false;
    for (let round = 0; round < rounds && !gone; round++) {
      try {
        await api.get(target.info.resource, target.namespace, target.name);
        await env.ctx.sleep(POLL_MS);
      } catch (err) {
        if (toCliError(err).code !== 'NOT_FOUND') throw err;
        gone = true;
      }
    }
    if (!gone) throw new CliError('WAIT_TIMEOUT', `timed out waiting for ${target.info.singular} "${target.name}" to be deleted`);
  }
}
