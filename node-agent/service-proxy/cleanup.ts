// `shoal-agent cleanup`'s iptables part: on BOTH back ends (rules written to the wrong one are
// invisible to the other), delete every rule in a built-in chain that jumps to a Shoal chain,
// then flush and delete every Shoal chain. Idempotent: a back end without any Shoal chain or rule
// is not touched at all.
import { CHAIN_PREFIX, renderCleanup, shoalChainsAll } from '../proxy/index.js';
import type { IptablesBackend } from '../proxy/index.js';
import { CommandIptables, IptablesError } from './iptables-executor.js';
import type { IptablesExecutor } from './iptables-executor.js';

export interface ProxyCleanupResult {
  backend: IptablesBackend;
  /** Rules removed from built-in chains. */
  jumps: number;
  /** Shoal chains removed. */
  chains: number;
  /** Why this back end was skipped (tools missing); undefined when it was looked at. */
  skipped?: string;
}

const TABLES = ['filter', 'nat', 'mangle'];

/** Removes every Shoal rule and chain from both back ends (`prefix`: e.g. nsenter into a netns). */
export async function cleanupServiceProxy(o: { prefix?: readonly string[] } = {}): Promise<ProxyCleanupResult[]> {
  const out: ProxyCleanupResult[] = [];
  for (const backend of ['legacy', 'nft'] as const) {
    const ex = new CommandIptables({ backend, ...(o.prefix === undefined ? {} : { prefix: o.prefix }) });
    try {
      out.push(await cleanupBackend(ex));
    } catch (e) {
      if (e instanceof IptablesError && e.code === 'IPTABLES_MISSING') out.push({ backend, jumps: 0, chains: 0, skipped: e.message });
      else throw e;
    }
  }
  return out;
}

/** Cleanup on one back end. */
export async function cleanupBackend(ex: IptablesExecutor): Promise<ProxyCleanupResult> {
  const save = await ex.save();
  if (!save.includes(CHAIN_PREFIX)) return { backend: ex.backend, jumps: 0, chains: 0 };
  // Every rule outside Shoal's chains that jumps into one, whatever wrote it (JUMP_RULES or an
  // older version): deleted by its exact spec as iptables-save printed it.
  let jumps = 0;
  for (const { table, chain, args } of foreignJumps(save)) {
    const r = await ex.run(['-w', '-t', table, '-D', chain, ...args]);
    if (r.code === 0) jumps++;
  }
  const chains = shoalChainsAll(save);
  const cleanup = renderCleanup(chains);
  await ex.restore(cleanup.restore);
  return { backend: ex.backend, jumps, chains: chains.nat.length + chains.filter.length + chains.mangle.length };
}

/** `-A CHAIN ... -j SHOAL-...` lines of non-Shoal chains in a save dump, as argv. */
export function foreignJumps(save: string): { table: string; chain: string; args: string[] }[] {
  const out: { table: string; chain: string; args: string[] }[] = [];
  let table = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    if (!line.startsWith('-A ') || !TABLES.includes(table)) continue;
    const words = splitRuleWords(line);
    const chain = words[1] ?? '';
    const target = words[words.indexOf('-j') + 1] ?? '';
    if (!chain.startsWith(CHAIN_PREFIX) && target.startsWith(CHAIN_PREFIX)) out.push({ table, chain, args: words.slice(2) });
  }
  return out;
}

/** iptables-save words: spaces separate, double quotes group (with \" and \\ escapes). */
export function splitRuleWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '\\' && i + 1 < line.length) cur += line[++i];
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') {
      quoted = true;
      inWord = true;
    } else if (ch === ' ') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
