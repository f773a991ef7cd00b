// kubectl describe's layout: `Key:` cells padded so values line up (per indent level, across the
// whole output), nested sections indented by two spaces, small tables with a dashed header line.
// Builders push lines; render() is pure.

type Line =
  | { readonly kind: 'pair'; readonly indent: number; readonly key: string; readonly value: string }
  | { readonly kind: 'text'; readonly indent: number; readonly text: string };

export class DescribeWriter {
  private readonly lines: Line[] = [];

  /** `Key:  value`; a value with several lines continues under the value column. */
  pair(indent: number, key: string, value: string): this {
    const [first = '', ...rest] = value.split('\n');
    this.lines.push({ kind: 'pair', indent, key: `${key}:`, value: first });
    for (const more of rest) this.lines.push({ kind: 'pair', indent, key: '', value: more });
    return this;
  }

  /** `Key:` heading of a nested section. */
  section(indent: number, key: string): this {
    this.lines.push({ kind: 'text', indent, text: `${key}:` });
    return this;
  }

  text(indent: number, text: string): this {
    for (const line of text.split('\n')) this.lines.push({ kind: 'text', indent, text: line });
    return this;
  }

  /** A headed table with kubectl describe's `----` underline; `Key:  <none>` when empty. */
  table(indent: number, key: string, headers: readonly string[], rows: readonly (readonly string[])[]): this {
    if (rows.length === 0) return this.pair(indent, key, '<none>');
    this.section(indent, key);
    const all = [headers, headers.map((h) => '-'.repeat(h.length)), ...rows];
    const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
    for (const row of all) {
      const text = row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0) + '  ')).join('');
      this.lines.push({ kind: 'text', indent: indent + 1, text });
    }
    return this;
  }

  render(): string {
    const widths = new Map<number, number>();
    for (const l of this.lines) {
      if (l.kind === 'pair') widths.set(l.indent, Math.max(widths.get(l.indent) ?? 0, l.key.length));
    }
    return this.lines
      .map((l) => {
        const pad = '  '.repeat(l.indent);
        if (l.kind === 'text') return `${pad}${l.text}`.trimEnd() + '\n';
        return `${pad}${l.key.padEnd((widths.get(l.indent) ?? 0) + 2)}${l.value}`.trimEnd() + '\n';
      })
      .join('');
  }
}
