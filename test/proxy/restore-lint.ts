// A structural check of iptables-restore text, standing in for `iptables-restore --test` (which
// needs root and the kernel): tables open and COMMIT, every rule's chain and jump target is
// declared in its table, a deleted chain is declared first and referenced by no rule.
const TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK']);
const BUILTIN = new Set(['INPUT', 'FORWARD', 'OUTPUT', 'PREROUTING', 'POSTROUTING']);

/** `known`: chains the host already has (a partial sync jumps to chains it does not declare). */
export function lintRestore(text: string, known: readonly string[] = []): string[] {
  const problems: string[] = [];
  let table: string | undefined;
  let declared = new Set<string>();
  let deleted: string[] = [];
  let jumps: { target: string; line: number }[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) !== '') problems.push('text does not end with a newline');
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line === '') return;
    if (line.startsWith('*')) {
      if (table !== undefined) problems.push(`line ${n}: table ${line} opened before ${table} was committed`);
      table = line.slice(1);
      declared = new Set();
      deleted = [];
      jumps = [];
    } else if (table === undefined) problems.push(`line ${n}: outside a table: ${line}`);
    else if (line === 'COMMIT') {
      for (const j of jumps) if (!TARGETS.has(j.target) && !declared.has(j.target) && !known.includes(j.target)) problems.push(`line ${j.line}: jump to undeclared chain ${j.target} in ${table}`);
      for (const d of deleted) if (jumps.some((j) => j.target === d)) problems.push(`${table}: deleted chain ${d} is still jumped to`);
      table = undefined;
    } else if (line.startsWith(':')) {
      const name = line.slice(1).split(' ')[0] ?? '';
      if (name.length > 28) problems.push(`line ${n}: chain name ${name} is longer than 28 characters`);
      if (declared.has(name)) problems.push(`line ${n}: chain ${name} declared twice`);
      declared.add(name);
    } else if (line.startsWith('-A ')) {
      const [, chain] = line.split(' ');
      if (chain === undefined || (!declared.has(chain) && !BUILTIN.has(chain))) problems.push(`line ${n}: rule in undeclared chain ${chain}`);
      const target = / -j (\S+)/.exec(line)?.[1];
      if (target === undefined) problems.push(`line ${n}: rule without a target`);
      else jumps.push({ target, line: n });
      if ((line.match(/"/g)?.length ?? 0) % 2 !== 0) problems.push(`line ${n}: unbalanced quotes`);
    } else if (line.startsWith('-X ')) {
      const chain = line.slice(3);
      if (!declared.has(chain)) problems.push(`line ${n}: -X of chain ${chain} not declared (flushed) first`);
      deleted.push(chain);
    } else problems.push(`line ${n}: unexpected line: ${line}`);
  });
  if (table !== undefined) problems.push(`table ${table} is not committed`);
  return problems;
}
