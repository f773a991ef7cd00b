// `node --import tsx scripts/bench/cpuprofile-top.ts FILE.cpuprofile [--top 30]`
// Summarises a V8 CPU profile (as written by `node --cpu-prof`): self time per function, and self
// time per area (a node_modules package, a folder of this repository, node internals, GC, idle),
// so the report of a benchmark can say where a member's time goes.
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

export function summarise(profile: Profile, top = 30): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
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
  const lines = [`wall ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${((100 * busy) / total).toFixed(0)}% of samples); shares of busy time`, '', 'self time by area:'];
  for (const [a, t] of [...areaSelf].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`  ${pct(t)}  ${a}`);
  lines.push('', 'self time by function:');
  for (const [k, t] of [...fnSelf].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`  ${pct(t)}  ${k}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 30;
  const files = args.filter((a, i) => a !== '--top' && (topAt < 0 || i !== topAt + 1));
  if (files.length === 0) {
    process.stderr.write('usage: node --import tsx scripts/bench/cpuprofile-top.ts FILE.cpuprofile... [--top 30]\n');
    process.exit(2);
  }
  for (const file of files) {
    process.stdout.write(`== ${file}\n${summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, top)}\n\n`);
  }
}
