// The state file D/control-plane.yaml: the host's whole flag set, keys = flag names, so that
// `shoal-control-plane --config-file D/control-plane.yaml` runs the host as init/join set it
// up. Also the generic --config-file expansion: a YAML file of flags becomes argv placed before
// the command line's own flags, which therefore win.
import { readFile } from 'node:fs/promises';
import { parseDocument, stringify } from 'yaml';
import { writeFileAtomic } from '../pki/index.js';
import { BootstrapError } from './bootstrap-error.js';
import type { FlagSet, FlagValue } from './control-plane-flags.js';
import { flagArgs } from './control-plane-flags.js';

const HEADER = '# shoal-control-plane state, written by init/join. Run: shoal-control-plane --config-file <this file>\n';

export function renderStateFile(flags: FlagSet): string {
  return HEADER + stringify({ ...flags });
}

/** Parses a flags YAML document (pure); `file` names it in errors. */
export function parseFlagsYaml(text: string, file: string): FlagSet {
  const doc = parseDocument(text);
  const first = doc.errors[0];
  if (first !== undefined) throw new BootstrapError('bad-state', `${file}: not valid YAML: ${first.message}`);
  const v: unknown = doc.toJS();
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new BootstrapError('bad-state', `${file}: expected a mapping of flag names to values`);
  const out: Record<string, FlagValue> = {};
  for (const [k, raw] of Object.entries(v as Record<string, unknown>)) {
    if (!/^[a-z][a-z0-9-]*$/.test(k) || k === 'config-file') throw new BootstrapError('bad-state', `${file}: "${k}" is not a flag name`);
    if (raw === null || raw === undefined) continue;
    if (typeof raw === 'number') out[k] = String(raw);
    else if (typeof raw === 'string' || typeof raw === 'boolean') out[k] = raw;
    else throw new BootstrapError('bad-state', `${file}: "${k}" must be a string, a number or a boolean`);
  }
  return out;
}

export async function readFlagsFile(file: string): Promise<FlagSet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new BootstrapError('bad-state', `${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  return parseFlagsYaml(text, file);
}

/** Written 0600: it names key files, and operators copy it around. */
export function writeStateFile(file: string, flags: FlagSet): Promise<void> {
  return writeFileAtomic(file, renderStateFile(flags), 0o600);
}

/** Splits --config-file F (or --config-file=F) out of argv; undefined when absent. */
export function takeConfigFile(argv: readonly string[]): { file: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--?config-file(?:=(.*))?$/.exec(a);
    if (m === null) {
      rest.push(a);
      continue;
    }
    file = m[1] ?? argv[++i];
    if (file === undefined || file === '') throw new BootstrapError('bad-flags', 'flag --config-file needs a file');
  }
  return { file, rest };
}

/** argv with the config file's flags first (the command line's own flags override them). */
export async function expandConfigFile(argv: readonly string[]): Promise<string[]> {
  const { file, rest } = takeConfigFile(argv);
  if (file === undefined) return [...argv];
  const flags = await readFlagsFile(file);
  return [...flagArgs(flags), ...rest];
}
