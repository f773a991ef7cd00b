// Which back end to program: run both back ends' save commands (and `iptables --version` for the
// system default) and let detectBackend decide from what they show.
import { spawn } from 'node:child_process';
import { detectBackend } from '../proxy/index.js';
import type { BackendDecision, IptablesBackend } from '../proxy/index.js';
import { CommandIptables, IptablesError, IptablesErrorCode } from './iptables-executor.js';

export interface ProbeOptions {
  /** argv before every command (nsenter into a namespace). */
  prefix?: readonly string[];
  timeoutMs?: number;
}

export interface ProbedBackend extends BackendDecision {
  /** Back ends whose tools ran here. */
  available: IptablesBackend[];
}

/** Save output of one back end; undefined when its tools are missing or fail. */
async function trySave(backend: IptablesBackend, o: ProbeOptions): Promise<string | undefined> {
  try {
    return await new CommandIptables({ backend, ...o }).save();
  } catch (e) {
    if (e instanceof IptablesError) return undefined;
    throw e;
  }
}

/** `iptables --version` says "(nf_tables)" or "(legacy)". */
async function systemDefault(o: ProbeOptions): Promise<IptablesBackend | undefined> {
  const argv = [...(o.prefix ?? []), 'iptables', '--version'];
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', () => resolve(undefined));
    child.once('close', () => resolve(/nf_tables/.test(out) ? 'nft' : /legacy/.test(out) ? 'legacy' : undefined));
  });
}

/** Detects the back end in use; throws IptablesError(Missing) when neither back end's tools run. */
export async function probeBackend(o: ProbeOptions = {}): Promise<ProbedBackend> {
  const [legacySave, nftSave, sys] = await Promise.all([trySave('legacy', o), trySave('nft', o), systemDefault(o)]);
  const available = [...(legacySave === undefined ? [] : ['legacy' as const]), ...(nftSave === undefined ? [] : ['nft' as const])];
  if (available.length === 0) throw new IptablesError(IptablesErrorCode.Missing, 'neither iptables-legacy-save nor iptables-nft-save runs here (install iptables)', { command: 'iptables-*-save' });
  return { ...detectBackend({ legacySave, nftSave, ...(sys === undefined ? {} : { systemDefault: sys }) }), available };
}
