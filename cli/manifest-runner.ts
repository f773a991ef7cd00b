// apply/create/delete -f share this: read every manifest, resolve its resource, put it in its
// namespace, run the action per document, print each failure and go on; exit 1 if any failed.
import type { Command } from 'commander';
import type { KubeObject } from '../api/kind.js';
import type { CommandEnv } from './command-env.js';
import { AlreadyReported, CliError, UsageError } from './errors.js';
import { readManifests } from './manifests.js';
import type { Manifest } from './manifests.js';
import { resourceForKind } from './resources.js';
import type { ResourceInfo } from './resources.js';
import type { Session } from './session.js';

/** Repeatable option values (commander's argParser). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The manifest options apply and create share: -f (repeatable), -R, --dry-run. */
export function withManifestOptions(command: Command): Command {
  return command
    .option('-f, --filename <path>', 'file, directory or - for stdin (repeatable)', collect)
    .option('-R, --recursive', 'descend into directories given with -f')
    .option('--dry-run', 'run every server stage but store nothing');
}

export interface FileFlags {
  readonly filename?: string[];
  readonly recursive?: boolean;
}

/**
 * The object placed in its namespace: the file's, else -n / the config's. A file namespace that
 * contradicts an explicit -n is refused, as kubectl does. Cluster-scoped objects have none.
 */
export function placeInNamespace(object: KubeObject, namespaced: boolean, namespace: string, explicit: boolean): KubeObject {
  const metadata = { ...object.metadata };
  if (!namespaced) {
    delete metadata.namespace;
    return { ...object, metadata };
  }
  const own = metadata.namespace;
  if (own && explicit && own !== namespace) {
    throw new CliError(
      'NAMESPACE_MISMATCH',
      `the namespace from the provided object "${own}" does not match the namespace "${namespace}". You must pass '--namespace=${own}' to perform this operation.`,
    );
  }
  return { ...object, metadata: { ...metadata, namespace: own || namespace } };
}

export interface PreparedManifest {
  readonly manifest: Manifest;
  readonly info: ResourceInfo;
  readonly object: KubeObject;
}

export async function forEachManifest(
  env: CommandEnv,
  session: Session,
  flags: FileFlags,
  action: (prepared: PreparedManifest) => Promise<void>,
): Promise<void> {
  const files = flags.filename ?? [];
  if (files.length === 0) throw new UsageError('must specify -f <file|dir|->');
  const { manifests, errors } = readManifests(files, flags.recursive === true, env.ctx.readStdin);
  for (const err of errors) env.report(err);
  let failed = errors.length > 0;
  if (manifests.length === 0 && errors.length === 0) throw new CliError('NO_OBJECTS', 'no objects passed to the command');
  const resources = await session.resources();
  const namespace = await session.namespace();
  const explicit = session.flags.namespace !== undefined && session.flags.namespace !== '';
  for (const manifest of manifests) {
    const { apiVersion, kind } = manifest.object;
    const subject = { kind, ...(manifest.object.metadata.name ? { name: manifest.object.metadata.name } : {}) };
    try {
      const info = resourceForKind(resources, apiVersion, kind);
      await action({ manifest, info, object: placeInNamespace(manifest.object, info.namespaced, namespace, explicit) });
    } catch (err) {
      failed = true;
      env.report(err, subject);
    }
  }
  if (failed) throw new AlreadyReported();
}
