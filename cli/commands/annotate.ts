// shoalctl annotate <resource> <name...> key=value key- [--overwrite]
import type { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { metadataMapCommand } from '../metadata-command.js';

export function annotateCommand(env: CommandEnv): Command {
  return metadataMapCommand(env, { name: 'annotate', field: 'annotations', what: 'annotation', done: 'annotated', description: 'Update the annotations of objects' });
}
