// `node --import tsx scripts/bench/cpuprofile-top.ts FILE.cpuprofile... [--top 30] [--from S] [--to S]
//                                                    [--timeline S]`
// Summarises a V8 CPU profile (as written by `node --cpu-prof`): self time per function, and self
// time per area (a node_modules package, a folder of this repository, node internals, GC, idle),
// so the report of a benchmark can say where a member's time goes. --from/--to keep the samples
// between those seconds of the profile; --timeline S prints the busy share per S seconds (to find
// a benchmark's phases).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives, coarse enough to compare: a package, a repo folder, node, GC, idle. */
export function area(frame: CallFrame): string {
  const name = frame.functionName;
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') return name;
  const url = frame.url;
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]!}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]!}/${rest[1] ?? ''}` : rest[0]!;
  }
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const m = /\/(raft|control-plane|proto|scripts|client|node-agent)\/(.*)$/.exec(path);
  if (m) {
    const parts = m[2]!.split('/');
    return parts.length > 1 ? `${m[1]!}/${parts.slice(0, -1).join('/')}` : m[1]!;
  }
  return path;
}

export interface Window {
  fromS: number;
  toS: number;
}

/** Sample node ids with their times (µs since the profile started). */
function timedSamples(profile: Profile): { id: number; at: number; dt: number }[] {
  const out: { id: number; at: number; dt: number }[] = [];
  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    out.push({ id: profile.samples[i]!, at, dt });
  }
  return out;
}

/** Busy share (not idle) per `stepS` seconds. */
export function timeline(profile: Profile, stepS: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const buckets: { busy: number; all: number }[] = [];
  for (const s of timedSamples(profile)) {
    const b = Math.floor(s.at / 1e6 / stepS);
    buckets[b] ??= { busy: 0, all: 0 };
    buckets[b].all += s.dt;
    if (byId.get(s.id)?.callFrame.functionName !== '(idle)') buckets[b].busy += s.dt;
  }
  return buckets.map((b, i) => `  ${String(i * stepS).padStart(5)} s  ${b && b.all > 0 ? ((100 * b.busy) / b.all).toFixed(0).padStart(3) : '  -'}% busy`).join('\n');
}

export function summarise(profile: Profile, top = 30, window?: Window): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const s of timedSamples(profile)) {
    if (window && (s.at / 1e6 < window.fromS || s.at / 1e6 >= window.toS)) continue;
    self.set(s.id, (self.get(s.id) ?? 0) + s.dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;
  const fnSelf = new Map<string, number>();
  const areaSelf = new Map<string, number>();
  for (const [id, t] of self) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') continue;
    const short = f.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '~/').replace(/^.*\/(raft|control-plane|proto|scripts|client)\//, '$1/');
    const key = `${f.functionName || '(anonymous)'}  ${short}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + t);
    const a = area(f);
    areaSelf.set(a, (areaSelf.get(a) ?? 0) + t);
  }
  const pct = (t: number): string => `${((100 * t) / busy).toFixed(1).padStart(5)}%`;
  const wall = window ? Math.min(window.toS, (profile.endTime - profile.startTime) / 1e6) - window.fromS : (profile.endTime - profile.startTime) / 1e6;
  const lines = [`wall ${wall.toFixed(1)} s${window ? ` (${window.fromS}-${window.toS} s)` : ''}, busy ${(busy / 1e6).toFixed(1)} s (${((100 * busy) / total).toFixed(0)}% of samples); shares of busy time`, '', 'self time by area:'];
  for (const [a, t] of [...areaSelf].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`  ${pct(t)}  ${a}`);
  lines.push('', 'self time by function:');
  for (const [k, t] of [...fnSelf].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`  ${pct(t)}  ${k}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opts = new Map<string, number>();
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--top' || a === '--from' || a === '--to' || a === '--timeline') opts.set(a, Number(args[++i]));
    else files.push(a);
  }
  if (files.length === 0) {
    process.stderr.write('usage: node --import tsx scripts/bench/cpuprofile-top.ts FILE.cpuprofile... [--top 30] [--from S] [--to S] [--timeline S]\n');
    process.exit(2);
  }
  const window = opts.has('--from') || opts.has('--to') ? { fromS: opts.get('--from') ?? 0, toS: opts.get('--to') ?? Infinity } : undefined;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const step = opts.get('--timeline');
    const body = step !== undefined ? timeline(profile, step) : summarise(profile, opts.get('--top') ?? 30, window);
    process.stdout.write(`== ${file}\n${body}\n\n`);
  }
}
