// `get -w` prints rows one at a time as events arrive, so widths are known only up to now: each
// row is padded to the widest cell seen so far in its column (kubectl behaves the same way).

export interface RowWidths {
  readonly widths: readonly number[];
}

export function startWidths(lines: readonly (readonly string[])[]): RowWidths {
  return lines.reduce<RowWidths>((acc, line) => grow(acc, line), { widths: [] });
}

function grow(state: RowWidths, row: readonly string[]): RowWidths {
  const widths = [...state.widths];
  row.forEach((cell, i) => {
    widths[i] = Math.max(widths[i] ?? 0, cell.length);
  });
  return { widths };
}

/** The line for one row and the widths for the next. */
export function renderWatchRow(state: RowWidths, row: readonly string[]): { line: string; next: RowWidths } {
  const next = grow(state, row);
  const line = row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(next.widths[i] ?? 0) + '   ')).join('') + '\n';
  return { line, next };
}
