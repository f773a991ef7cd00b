// Applying a rendered ruleset. Normally one iptables-restore --noflush, so the change is atomic.
// iptables-nft-restore 1.8.x with --noflush is quadratic in the chains one transaction writes
// (measured here: 5 000 chains 0.6 s, 20 000 chains 5.7 s; a 10 000 service ruleset, 60 000
// chains, did not finish in 10 minutes), so a big full sync on nft goes in stages, each atomic:
//   1. endpoint chains (SHOAL-SEP-*, plus SHOAL-MARK-MASQ which they jump to), in chunks;
//   2. service chains (SHOAL-SVC-*), in chunks: each now jumps to endpoint chains that exist;
//   3. everything else in one restore: the filter table, the fixed nat chains (SHOAL-SERVICES
//      switches to the new service chains here) and the deletion of stale chains.
// An endpoint chain's rules depend only on its name (service port + endpoint address), so
// rewriting one early changes nothing for the service chains still pointing at it, and each
// service chain changes in one step: traffic always sees a consistent service.
import { Chain, SEP_PREFIX, SVC_PREFIX } from '../proxy/index.js';
import type { RenderedRuleset } from '../proxy/index.js';
import type { IptablesExecutor } from './iptables-executor.js';

/** Chains per staged restore (nft); a ruleset declaring fewer nat chains goes in one restore. */
export const DEFAULT_CHUNK_CHAINS = 1_000;

export async function applyRuleset(ex: IptablesExecutor, rendered: RenderedRuleset, chunkChains = DEFAULT_CHUNK_CHAINS): Promise<number> {
  const texts = ex.backend === 'nft' ? stageRestore(rendered.text, chunkChains) : [rendered.text];
  for (const text of texts) await ex.restore(text);
  return texts.length;
}

/**
 * Splits restore text into the staged restores described above; one text when the nat table
 * declares no more than `chunkChains` per-service chains. Pure.
 */
export function stageRestore(text: string, chunkChains: number): string[] {
  const tables = splitTables(text);
  const nat = tables.find((t) => t.name === 'nat');
  if (nat === undefined) return [text];
  const deleted = new Set(nat.lines.filter((l) => l.startsWith('-X ')).map((l) => l.slice(3)));
  const staged = (prefix: string): string[] => nat.declared.filter((c) => c.startsWith(prefix) && !deleted.has(c));
  const seps = staged(SEP_PREFIX);
  const svcs = staged(SVC_PREFIX);
  if (seps.length + svcs.length <= chunkChains) return [text];
  const rulesOf = new Map<string, string[]>();
  for (const l of nat.lines) {
    if (!l.startsWith('-A ')) continue;
    const chain = l.slice(3, l.indexOf(' ', 3));
    let list = rulesOf.get(chain);
    if (list === undefined) rulesOf.set(chain, (list = []));
    list.push(l);
  }
  const chunk = (chains: string[]): string => ['*nat', ...chains.map((c) => `:${c} - [0:0]`), ...chains.flatMap((c) => rulesOf.get(c) ?? []), 'COMMIT', ''].join('\n');
  const out: string[] = [];
  const sepChunks = slices(seps, chunkChains);
  // MARK-MASQ is one fixed rule; writing it first lets the endpoint chains jump to it on a fresh host.
  sepChunks.forEach((cs, i) => out.push(chunk(i === 0 ? [Chain.MarkMasq, ...cs] : cs)));
  for (const cs of slices(svcs, chunkChains)) out.push(chunk(cs));
  const done = new Set([...seps, ...svcs]);
  const rest = tables.map((t) =>
    t.name !== 'nat'
      ? t.raw
      : ['*nat', ...t.lines.filter((l) => !(l.startsWith(':') && done.has(declName(l))) && !(l.startsWith('-A ') && done.has(l.slice(3, l.indexOf(' ', 3))))), 'COMMIT'].join('\n'),
  );
  out.push(`${rest.join('\n')}\n`);
  return out;
}

interface TableText {
  name: string;
  /** Lines between the `*table` line and COMMIT. */
  lines: string[];
  declared: string[];
  raw: string;
}

function splitTables(text: string): TableText[] {
  const out: TableText[] = [];
  let cur: TableText | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) cur = { name: line.slice(1), lines: [], declared: [], raw: '' };
    else if (line === 'COMMIT' && cur !== undefined) {
      cur.raw = [`*${cur.name}`, ...cur.lines, 'COMMIT'].join('\n');
      out.push(cur);
      cur = undefined;
    } else if (cur !== undefined && line !== '') {
      cur.lines.push(line);
      if (line.startsWith(':')) cur.declared.push(declName(line));
    }
  }
  return out;
}

const declName = (line: string): string => line.slice(1, line.indexOf(' '));

function slices<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
