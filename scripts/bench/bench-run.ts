// What the benchmarks that start local clusters share: a temp dir and a ProcessRegistry that
// are cleaned up however the run ends, flag reading, and the two-system comparison table.
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRegistry } from './store-cluster.js';

/**
 * Runs `body` with a new temp dir (named `prefix`...) and a ProcessRegistry. At the end, on an
 * error, at process exit and on SIGINT/SIGTERM every registered process is killed and the dir
 * removed (kept with `keep`).
 */
export async function withProcesses<T>(prefix: string, keep: boolean, log: (msg: string) => void, body: (dir: string, registry: ProcessRegistry) => Promise<T>): Promise<T> {
  const registry = new ProcessRegistry();
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const cleanup = (): void => {
    registry.killAll();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`${sig}: stopping every process`);
    cleanup();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', cleanup);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await body(dir, registry);
  } finally {
    registry.killAll();
    if (keep) log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
    process.removeListener('exit', cleanup);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** Walks argv: `for (const a of args) ...`, taking a flag's value with value() or number(). */
export class FlagReader implements Iterable<string> {
  private i = -1;
  constructor(private readonly argv: readonly string[]) {}

  *[Symbol.iterator](): Iterator<string> {
    for (this.i = 0; this.i < this.argv.length; this.i++) yield this.argv[this.i]!;
  }

  /** The value after the current flag. */
  value(): string {
    const flag = this.argv[this.i];
    const v = this.argv[++this.i];
    if (v === undefined) throw new Error(`${flag} needs a value`);
    return v;
  }

  /** A number from `min` to `max` after the current flag. */
  number(min: number, max = Infinity): number {
    const flag = this.argv[this.i];
    const v = Number(this.value());
    if (!Number.isFinite(v) || v < min || v > max) throw new Error(`${flag} needs a number ${max === Infinity ? `>= ${min}` : `from ${min} to ${max}`}`);
    return v;
  }
}

export interface ComparisonRow<R> {
  name: string;
  get: (r: R) => number;
  digits: number;
  /** false for rows without a meaningful ratio */
  ratio: boolean;
}

/**
 * Lines of an aligned table: one row per `rows` entry with the figure of system a, of system b
 * (`-` when absent or not finite) and a/b. `labels`: the four column titles.
 */
export function comparisonTable<R>(labels: readonly [string, string, string, string], rows: readonly ComparisonRow<R>[], a: R | undefined, b: R | undefined): string[] {
  const fmt = (v: number | undefined, digits: number): string => (v !== undefined && Number.isFinite(v) ? v.toFixed(digits) : '-');
  const table: string[][] = [[...labels]];
  for (const row of rows) {
    const x = a !== undefined ? row.get(a) : undefined;
    const y = b !== undefined ? row.get(b) : undefined;
    table.push([row.name, fmt(x, row.digits), fmt(y, row.digits), row.ratio && x !== undefined && y !== undefined ? fmt(x / y, 2) : '']);
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  return table.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]! + 2) : cell.padStart(widths[c]! + 2))).join(''));
}

/** `digits` decimals; null for undefined, NaN and infinities (JSON has no NaN). */
export function round(v: number | undefined, digits = 0): number | null {
  if (v === undefined || !Number.isFinite(v)) return null;
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
