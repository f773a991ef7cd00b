// Reading iptables-save output: which chains each table declares, and how many rules it has.
import { CHAIN_PREFIX } from './chain-names.js';

export interface SaveSummary {
  /** Declared chains per table (`:NAME POLICY [p:b]` lines), in file order. */
  chains: Map<string, string[]>;
  /** Rule lines (`-A ...`) across all tables. */
  ruleCount: number;
}

export function parseSave(text: string): SaveSummary {
  const chains = new Map<string, string[]>();
  let table: string[] | undefined;
  let ruleCount = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) {
      const name = line.slice(1);
      table = chains.get(name) ?? [];
      chains.set(name, table);
    } else if (line.startsWith(':')) {
      const name = line.slice(1).split(/\s+/)[0];
      if (name !== undefined && name !== '') table?.push(name);
    } else if (line.startsWith('-')) ruleCount++;
  }
  return { chains, ruleCount };
}

/** Shoal's chains in the nat and filter tables of an iptables-save dump (a sync's `existing`). */
export function shoalChains(text: string): { nat: string[]; filter: string[] } {
  const { nat, filter } = shoalChainsAll(text);
  return { nat, filter };
}

/** shoalChains plus the mangle table (where only the canary lives): what cleanup removes. */
export function shoalChainsAll(text: string): { nat: string[]; filter: string[]; mangle: string[] } {
  const { chains } = parseSave(text);
  const ours = (table: string): string[] => (chains.get(table) ?? []).filter((c) => c.startsWith(CHAIN_PREFIX));
  return { nat: ours('nat'), filter: ours('filter'), mangle: ours('mangle') };
}
