// Reads the verdict of `etcdctl check perf` (etcd 3.4) from its standard output. Its progress
// bar redraws one line with \r and the first verdict line is often glued to the bar's last
// drawing (" 59 / 60 ... 98.33%PASS: Throughput is 150 writes/s"), so each verdict is looked
// for anywhere in a line of the sanitized text. The lines etcdctl prints:
//   PASS: Throughput is %d writes/s          | FAIL: Throughput too low: %d writes/s
//   PASS: Slowest request took %fs           | Slowest request took too long: %fs
//   PASS: Stddev is %fs                      | Stddev too high: %fs  (3.4.23 has no "FAIL:" on
//                                                                   these two; newer ones do)
//   FAIL: too many errors, FAIL: ERROR(%v) -> %d   (only when requests failed)
//   PASS | FAIL                              (the overall verdict, on a line of its own)
import { tapSafeLines } from '../../support/tap-safe.js';

export interface Measure {
  readonly pass: boolean;
  readonly value: number;
}

export interface CheckPerfVerdict {
  /** writes/s */
  readonly throughput: Measure | undefined;
  /** seconds */
  readonly slowest: Measure | undefined;
  /** seconds */
  readonly stddev: Measure | undefined;
  readonly overall: 'PASS' | 'FAIL' | undefined;
  /** "FAIL: too many errors" and its "FAIL: ERROR(...) -> n" lines. */
  readonly errors: readonly string[];
  /** The verdict lines as printed, without the progress bar: safe for t.comment(). */
  readonly lines: readonly string[];
}

const MEASURES = {
  throughput: [/PASS: Throughput is (\d+) writes\/s/, /FAIL: Throughput too low: (\d+) writes\/s/],
  slowest: [/PASS: Slowest request took ([\d.]+)s/, /(?:FAIL: )?Slowest request took too long: ([\d.]+)s/],
  stddev: [/PASS: Stddev is ([\d.]+)s/, /(?:FAIL: )?Stddev too high: ([\d.]+)s/],
} as const;

const ERROR_LINE = /FAIL: (?:too many errors|ERROR\(.*)$/;

export function parseCheckPerf(stdout: string): CheckPerfVerdict {
  const found: Record<keyof typeof MEASURES, Measure | undefined> = { throughput: undefined, slowest: undefined, stddev: undefined };
  let overall: CheckPerfVerdict['overall'];
  const errors: string[] = [];
  const lines: string[] = [];
  for (const line of tapSafeLines(stdout)) {
    const trimmed = line.trim();
    if (trimmed === 'PASS' || trimmed === 'FAIL') {
      overall = trimmed;
      lines.push(trimmed);
      continue;
    }
    const err = ERROR_LINE.exec(line);
    if (err !== null) {
      errors.push(err[0]);
      lines.push(err[0]);
      continue;
    }
    for (const name of Object.keys(MEASURES) as (keyof typeof MEASURES)[]) {
      const [passRe, failRe] = MEASURES[name];
      const m = passRe.exec(line) ?? failRe.exec(line);
      if (m === null) continue;
      found[name] = { pass: m[0].startsWith('PASS'), value: Number(m[1]) };
      lines.push(m[0]);
    }
  }
  return { ...found, overall, errors, lines };
}

/** Every verdict line is there and says PASS. */
export function checkPerfPassed(v: CheckPerfVerdict): boolean {
  return v.throughput?.pass === true && v.slowest?.pass === true && v.stddev?.pass === true && v.overall === 'PASS' && v.errors.length === 0;
}
