// kubectl's table layout: left-aligned columns separated by three spaces; the last column is not
// padded and trailing blanks (an empty last cell) are cut, so no line ends in spaces.

export interface Table {
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export const COLUMN_GAP = '   ';

/** Renders headers (unless noHeaders) and rows; every line ends with "\n"; "" for no lines. */
export function renderTable(table: Table, options: { noHeaders?: boolean } = {}): string {
  const lines = options.noHeaders ? [...table.rows] : [table.headers, ...table.rows];
  if (lines.length === 0) return '';
  return renderAligned(lines);
}

/** Aligns cells column by column (no header logic); shared by tables and describe blocks. */
export function renderAligned(lines: readonly (readonly string[])[], gap: string = COLUMN_GAP): string {
  const widths: number[] = [];
  for (const line of lines) {
    line.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return lines
    .map((line) => line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i] ?? 0) + gap)).join('').trimEnd() + '\n')
    .join('');
}
