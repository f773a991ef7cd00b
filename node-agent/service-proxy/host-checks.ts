// What a restore with --noflush cannot own: the jump rules in the built-in chains (checked with
// -C, inserted at position 1 in reverse order so they end up in JUMP_RULES order) and the canary
// chains. The canary is SHOAL-PROXY-CANARY in mangle, nat and filter (as kube-proxy's), made with
// `iptables -N` and holding one RETURN rule: a flushed table (`iptables -t nat -F`) loses the
// rule and a deleted one loses the chain, so checking the rule with -C notices both.
import { Chain, JUMP_RULES, jumpArgv } from '../proxy/index.js';
import type { IptablesExecutor } from './iptables-executor.js';
import { IptablesError, IptablesErrorCode } from './iptables-executor.js';

export const CANARY_TABLES = ['mangle', 'nat', 'filter'] as const;
export type CanaryTable = (typeof CANARY_TABLES)[number];

const CANARY_RULE = ['-m', 'comment', '--comment', 'shoal proxy canary', '-j', 'RETURN'];

const canaryRuleArgv = (table: CanaryTable, op: '-C' | '-A'): string[] => ['-w', '-t', table, op, Chain.Canary, ...CANARY_RULE];

async function must(ex: IptablesExecutor, argv: string[]): Promise<void> {
  const r = await ex.run(argv);
  if (r.code !== 0) throw new IptablesError(IptablesErrorCode.CommandFailed, `iptables-${ex.backend} ${argv.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`, { command: argv.join(' '), stderr: r.stderr });
}

/** Inserts the missing jump rules; returns how many were missing. */
export async function ensureJumpRules(ex: IptablesExecutor): Promise<number> {
  const missing = [];
  for (const rule of JUMP_RULES) if ((await ex.run(jumpArgv(rule, 'check'))).code !== 0) missing.push(rule);
  for (const rule of missing.reverse()) await must(ex, jumpArgv(rule, 'insert'));
  return missing.length;
}

/** Creates the canary chain and rule in each table where they are missing. */
export async function ensureCanary(ex: IptablesExecutor): Promise<void> {
  for (const table of CANARY_TABLES) {
    if ((await ex.run(canaryRuleArgv(table, '-C'))).code === 0) continue;
    const created = await ex.run(['-w', '-t', table, '-N', Chain.Canary]);
    if (created.code !== 0 && !/exists/i.test(created.stderr)) await must(ex, ['-w', '-t', table, '-N', Chain.Canary]);
    await must(ex, canaryRuleArgv(table, '-A'));
  }
}

/** What is gone: canary tables whose rule or chain vanished, and missing jump rules (as "table/CHAIN"). */
export async function missingHostRules(ex: IptablesExecutor): Promise<string[]> {
  const gone: string[] = [];
  for (const table of CANARY_TABLES) if ((await ex.run(canaryRuleArgv(table, '-C'))).code !== 0) gone.push(`${table}/${Chain.Canary}`);
  for (const rule of JUMP_RULES) if ((await ex.run(jumpArgv(rule, 'check'))).code !== 0) gone.push(`${rule.table}/${rule.chain} -> ${rule.args.at(-1)}`);
  return gone;
}
