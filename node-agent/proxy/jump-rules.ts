// The few rules Shoal keeps in the built-in chains, ensured one by one (`iptables -t T -C CHAIN
// args...`, else `-I CHAIN 1 args...`) because a restore with --noflush must not touch chains it
// does not own. And the cleanup: remove those jumps, then flush and delete every Shoal chain.
import { Chain } from './chain-names.js';
import { compareText } from './service-ports.js';

export type IptablesTable = 'nat' | 'filter';

export interface JumpRule {
  table: IptablesTable;
  /** Built-in chain holding the jump. */
  chain: string;
  /** Rule arguments after `-C/-I/-D CHAIN` (no quoting: argv elements). */
  args: string[];
}

const jump = (table: IptablesTable, chain: string, target: string, text: string, extra: string[] = []): JumpRule => ({
  table,
  chain,
  args: [...extra, '-m', 'comment', '--comment', text, '-j', target],
});

const NEW_ONLY = ['-m', 'conntrack', '--ctstate', 'NEW'];

/**
 * Jumps into Shoal's chains, in the order they should end up in each built-in chain (ahead of
 * Docker's rules). Each is inserted at position 1, so a syncer that finds several missing inserts
 * them in reverse order of this list.
 */
export const JUMP_RULES: readonly JumpRule[] = [
  jump('filter', 'INPUT', Chain.Firewall, 'shoal service firewall', NEW_ONLY),
  jump('filter', 'FORWARD', Chain.Firewall, 'shoal service firewall', NEW_ONLY),
  jump('filter', 'OUTPUT', Chain.Firewall, 'shoal service firewall', NEW_ONLY),
  // Ahead of Docker's FORWARD rules, which drop new connections into its bridges from outside.
  jump('filter', 'FORWARD', Chain.Forward, 'shoal forwarding rules'),
  jump('nat', 'PREROUTING', Chain.Services, 'shoal service portals'),
  jump('nat', 'OUTPUT', Chain.Services, 'shoal service portals'),
  jump('nat', 'POSTROUTING', Chain.Postrouting, 'shoal postrouting rules'),
];

/** argv for `iptables` to check (-C), insert first (-I CHAIN 1) or delete (-D) a jump rule. */
export function jumpArgv(rule: JumpRule, op: 'check' | 'insert' | 'delete'): string[] {
  const head = op === 'check' ? ['-C', rule.chain] : op === 'insert' ? ['-I', rule.chain, '1'] : ['-D', rule.chain];
  return ['-w', '-t', rule.table, ...head, ...rule.args];
}

/** argv to create the canary chain in a table (`-N`); its absence later means the tables were flushed. */
export function canaryArgv(table: IptablesTable, op: 'create' | 'check'): string[] {
  return ['-w', '-t', table, op === 'create' ? '-N' : '-L', Chain.Canary, ...(op === 'check' ? ['-n'] : [])];
}

export interface Cleanup {
  /** `iptables` argv lists that delete the jump rules (run first; a missing rule is not an error). */
  deleteJumps: string[][];
  /** iptables-restore --noflush input that flushes and deletes the given Shoal chains. */
  restore: string;
}

/**
 * Remove every Shoal rule: the jumps first (a chain still referenced cannot be deleted), then all
 * Shoal chains found in the host's tables (pass shoalChains(iptables-save output)).
 */
export function renderCleanup(existing: { nat: readonly string[]; filter: readonly string[]; mangle?: readonly string[] }): Cleanup {
  const table = (name: IptablesTable | 'mangle', chains: readonly string[]): string[] => {
    const sorted = [...new Set(chains)].sort(compareText);
    return [`*${name}`, ...sorted.map((c) => `:${c} - [0:0]`), ...sorted.map((c) => `-X ${c}`), 'COMMIT'];
  };
  // mangle holds only the canary; it is written only when there is something to remove.
  const mangle = existing.mangle !== undefined && existing.mangle.length > 0 ? table('mangle', existing.mangle) : [];
  return {
    deleteJumps: JUMP_RULES.map((r) => jumpArgv(r, 'delete')),
    restore: [...table('filter', existing.filter), ...table('nat', existing.nat), ...mangle, ''].join('\n'),
  };
}
