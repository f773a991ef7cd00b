// A model of what `iptables-restore --noflush` does to Shoal's chains: a declared chain is
// created or flushed, -A appends, -X deletes; chains not mentioned keep their rules.
export type TablesModel = Map<string, Map<string, string[]>>;

export function applyRestore(model: TablesModel, text: string): TablesModel {
  const next: TablesModel = new Map([...model].map(([t, chains]) => [t, new Map([...chains].map(([c, r]) => [c, [...r]]))]));
  let table: Map<string, string[]> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      const name = line.slice(1);
      table = next.get(name) ?? new Map();
      next.set(name, table);
    } else if (line.startsWith(':')) table?.set(line.slice(1).split(' ')[0] ?? '', []);
    else if (line.startsWith('-A ')) table?.get(line.split(' ')[1] ?? '')?.push(line);
    else if (line.startsWith('-X ')) table?.delete(line.slice(3));
  }
  return next;
}

/** The model as sorted text, for comparison. */
export function modelText(model: TablesModel): string {
  return [...model.keys()].sort().flatMap((t) => {
    const chains = model.get(t)!;
    return [`*${t}`, ...[...chains.keys()].sort().flatMap((c) => [`:${c}`, ...chains.get(c)!])];
  }).join('\n');
}
