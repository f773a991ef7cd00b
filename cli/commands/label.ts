// shoalctl label <resource> <name...> key=value key- [--overwrite]
import type { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { metadataMapCommand } from '../metadata-command.js';

export function labelCommand(env: CommandEnv): Command {
  return metadataMapCommand(env, { name: 'label', field: 'labels', what: 'label', done: 'labeled', description: 'Update the labels of objects' });
}
