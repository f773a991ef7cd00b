// `npm run bench -- raft [--json] [--duration 5] [--tick-ms 100] [--election-tick 10]
//                        [--failovers 5] [--no-etcd] [--levels 1,16,256] [--cpu-prof DIR]
//                        [--leader-sends-before-persist]`
//
// Three members in separate processes on 127.0.0.1, fsync on, 256-byte values, proposals from
// a client process over loopback HTTP with keep-alive connections:
// - commits/s with exactly N requests outstanding (closed loop) for a fixed duration each;
// - commit latency p50/p99 at 16 in flight;
// - failover: kill -9 the leader, then the time until a write is first acknowledged by a
//   surviving member (probes on every survivor with short deadlines), median of several runs.
// The same client measures a real etcd (Debian's etcd-server, through its v3 HTTP gateway,
// heartbeat 100 ms / election 1000 ms = tick 100 ms x 10) in the same run as a reference.
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KvClient } from '../../raft/demo/kv-client.js';
import { LocalCluster, freePorts } from '../../raft/demo/local-cluster.js';

interface Flags {
  json: boolean;
  durationS: number;
  tickMs: number;
  electionTick: number;
  failovers: number;
  etcd: boolean;
  levels: number[];
  valueBytes: number;
  cpuProf: string | undefined;
  leaderSendsBeforePersist: boolean;
}

function parseFlags(argv: string[]): Flags {
  const f: Flags = { json: false, durationS: 5, tickMs: 100, electionTick: 10, failovers: 5, etcd: true, levels: [1, 16, 256], valueBytes: 256, cpuProf: undefined, leaderSendsBeforePersist: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const num = (): number => {
      const v = Number(val());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a} needs a non-negative number`);
      return v;
    };
    if (a === '--json') f.json = true;
    else if (a === '--no-etcd') f.etcd = false;
    else if (a === '--leader-sends-before-persist') f.leaderSendsBeforePersist = true;
    else if (a === '--duration') f.durationS = num();
    else if (a === '--tick-ms') f.tickMs = num();
    else if (a === '--election-tick') f.electionTick = num();
    else if (a === '--failovers') f.failovers = num();
    else if (a === '--value-bytes') f.valueBytes = num();
    else if (a === '--levels') f.levels = val().split(',').map(Number);
    else if (a === '--cpu-prof') f.cpuProf = val();
    else throw new Error(`unknown flag ${a}`);
  }
  return f;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string): void => {
  process.stderr.write(`[bench raft] ${msg}\n`);
};

/** One system under test: three members, reachable over HTTP on loopback. */
interface System {
  readonly name: string;
  start(): Promise<void>;
  /** The leader's id, once every running member agrees. */
  leader(timeoutMs: number): Promise<number>;
  ids(): number[];
  /** Writes one key through member `id`; true when acknowledged within timeoutMs. */
  put(client: KvClient, id: number, key: string, value: Uint8Array, timeoutMs: number): Promise<boolean>;
  kill(id: number): Promise<void>;
  restart(id: number): void;
  /** Waits until every member is up and has caught up with the leader. */
  settle(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

class ShoalSystem implements System {
  readonly name = 'shoal';
  private cluster!: LocalCluster;
  constructor(
    private readonly dir: string,
    private readonly f: Flags,
  ) {}

  async start(): Promise<void> {
    if (this.f.cpuProf) await mkdir(this.f.cpuProf, { recursive: true });
    const nodeArgs = this.f.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${this.f.cpuProf}`] : [];
    this.cluster = await LocalCluster.create({ baseDir: this.dir, tickMs: this.f.tickMs, electionTick: this.f.electionTick, fsync: true, nodeArgs,
      leaderSendsBeforePersist: this.f.leaderSendsBeforePersist });
    this.cluster.startAll();
  }
  ids(): number[] {
    return this.cluster.ids();
  }
  leader(timeoutMs: number): Promise<number> {
    return this.cluster.waitForLeader({ timeoutMs });
  }
  async put(client: KvClient, id: number, key: string, value: Uint8Array, timeoutMs: number): Promise<boolean> {
    const r = await client.call(this.cluster.member(id).url, 'PUT', `/kv/${key}?timeout=${timeoutMs}`, value, timeoutMs + 100);
    return r.status === 200;
  }
  kill(id: number): Promise<void> {
    return this.cluster.kill(id, 'SIGKILL');
  }
  restart(id: number): void {
    this.cluster.start(id);
  }
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const leader = await this.leader(timeoutMs);
    for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
      const st = await Promise.all(this.ids().map((id) => this.cluster.status(id)));
      const commit = st.find((s) => s?.id === leader)?.commit ?? Infinity;
      if (st.every((s) => s !== undefined && s.applied >= commit && s.leader === leader)) return;
      await sleep(50);
    }
    throw new Error(`shoal: members did not catch up within ${timeoutMs} ms`);
  }
  /** SIGTERM first so members started with --cpu-prof write their profiles. */
  async close(): Promise<void> {
    if (this.f.cpuProf) await Promise.all(this.ids().map((id) => this.cluster.kill(id, 'SIGTERM')));
    await this.cluster.close();
  }
}

/** A real etcd cluster (Debian's etcd-server 3.4) through its v3 HTTP/JSON gateway. */
class EtcdSystem implements System {
  readonly name = 'etcd';
  private readonly procs = new Map<number, ChildProcess | undefined>();
  private clientPorts: number[] = [];
  private peerPorts: number[] = [];
  private readonly status = new KvClient({ maxSockets: 4 });
  private readonly onExit = (): void => {
    for (const p of this.procs.values()) p?.kill('SIGKILL');
  };
  constructor(
    private readonly dir: string,
    private readonly f: Flags,
  ) {}

  static available(): boolean {
    return spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;
  }

  async start(): Promise<void> {
    const ports = await freePorts(6);
    this.clientPorts = ports.slice(0, 3);
    this.peerPorts = ports.slice(3);
    process.once('exit', this.onExit);
    for (const id of this.ids()) this.restart(id);
  }
  ids(): number[] {
    return [1, 2, 3];
  }
  url(id: number): string {
    return `http://127.0.0.1:${this.clientPorts[id - 1]!}`;
  }
  restart(id: number): void {
    const cluster = this.ids()
      .map((i) => `e${i}=http://127.0.0.1:${this.peerPorts[i - 1]!}`)
      .join(',');
    const peer = `http://127.0.0.1:${this.peerPorts[id - 1]!}`;
    const args = [
      '--name', `e${id}`,
      '--data-dir', join(this.dir, `etcd-${id}`),
      '--listen-client-urls', this.url(id),
      '--advertise-client-urls', this.url(id),
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', cluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', 'shoal-bench',
      '--heartbeat-interval', String(this.f.tickMs),
      '--election-timeout', String(this.f.tickMs * this.f.electionTick),
      '--log-level', 'warn',
    ];
    const out = openSync(join(this.dir, `etcd-${id}.log`), 'a');
    try {
      this.procs.set(id, spawn('etcd', args, { stdio: ['ignore', out, out] }));
    } finally {
      closeSync(out);
    }
  }
  private async memberStatus(id: number): Promise<{ self: string; leader: string; raftIndex: string } | undefined> {
    const r = await this.status.call(this.url(id), 'POST', '/v3/maintenance/status', Buffer.from('{}'), 1000);
    if (r.status !== 200) return undefined;
    const j = JSON.parse(r.body.toString()) as { header?: { member_id?: string }; leader?: string; raftIndex?: string };
    if (!j.header?.member_id || !j.leader || j.leader === '0') return undefined;
    return { self: j.header.member_id, leader: j.leader, raftIndex: j.raftIndex ?? '0' };
  }
  private running(): number[] {
    return this.ids().filter((id) => {
      const p = this.procs.get(id);
      return p !== undefined && p.exitCode === null && p.signalCode === null;
    });
  }
  async leader(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
      const ids = this.running();
      const st = await Promise.all(ids.map((id) => this.memberStatus(id)));
      const lead = st.findIndex((s) => s !== undefined && s.self === s.leader);
      if (lead >= 0 && st.every((s) => s !== undefined && s.leader === st[lead]!.leader)) return ids[lead]!;
      await sleep(50);
    }
    throw new Error(`etcd: no leader within ${timeoutMs} ms`);
  }
  async put(client: KvClient, id: number, key: string, value: Uint8Array, timeoutMs: number): Promise<boolean> {
    const body = Buffer.from(`{"key":"${Buffer.from(key).toString('base64')}","value":"${Buffer.from(value).toString('base64')}"}`);
    const r = await client.call(this.url(id), 'POST', '/v3/kv/put', body, timeoutMs);
    return r.status === 200;
  }
  async kill(id: number): Promise<void> {
    const p = this.procs.get(id);
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
      const st = await Promise.all(this.ids().map((id) => this.memberStatus(id)));
      if (st.every((s) => s !== undefined && s.raftIndex === st[0]!.raftIndex)) return;
      await sleep(50);
    }
    throw new Error(`etcd: members did not catch up within ${timeoutMs} ms`);
  }
  async close(): Promise<void> {
    await Promise.all(this.ids().map((id) => this.kill(id)));
    this.status.close();
    process.removeListener('exit', this.onExit);
  }
}

interface LoadResult {
  commitsPerS: number;
  errors: number;
  p50: number;
  p99: number;
}

/** Keeps exactly `inFlight` writes outstanding against member `id` for `ms`. */
async function closedLoop(sys: System, id: number, inFlight: number, ms: number, value: Uint8Array): Promise<LoadResult> {
  const client = new KvClient({ maxSockets: inFlight });
  const lat: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + ms;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; performance.now() < end; i++) {
      const t0 = performance.now();
      // a fixed keyspace of 1000 keys keeps the state (and its snapshots) small
      if (await sys.put(client, id, `bench-${(w * 7919 + i) % 1000}`, value, 5000)) lat.push(performance.now() - t0);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
  const elapsed = performance.now() - start;
  client.close();
  lat.sort((a, b) => a - b);
  const pct = (p: number): number => (lat.length === 0 ? NaN : lat[Math.min(lat.length - 1, Math.floor((lat.length * p) / 100))]!);
  return { commitsPerS: (lat.length * 1000) / elapsed, errors, p50: pct(50), p99: pct(99) };
}

/** Kill -9 the leader; ms until a survivor acknowledges a write (probes every survivor). */
async function failover(sys: System, value: Uint8Array, round: number): Promise<number> {
  await sys.settle(30_000);
  const leader = await sys.leader(30_000);
  const survivors = sys.ids().filter((id) => id !== leader);
  const client = new KvClient({ maxSockets: 8 });
  const t0 = performance.now();
  await sys.kill(leader);
  let done = false;
  let t1 = NaN;
  const probe = async (id: number): Promise<void> => {
    for (let i = 0; !done && performance.now() - t0 < 30_000; i++) {
      const ok = await sys.put(client, id, `failover-${round}-${id}-${i}`, value, 200);
      if (ok && !done) {
        done = true;
        t1 = performance.now();
      } else if (!ok) await sleep(5);
    }
  };
  await Promise.all(survivors.map(probe));
  client.close();
  sys.restart(leader);
  await sys.settle(30_000);
  if (!done) throw new Error(`${sys.name}: no write acknowledged within 30 s of killing the leader`);
  return t1 - t0;
}

interface SystemResult {
  levels: Map<number, LoadResult>;
  failoversMs: number[];
}

async function measure(sys: System, f: Flags): Promise<SystemResult> {
  log(`${sys.name}: starting 3 members`);
  await sys.start();
  try {
    await sys.settle(60_000);
    const value = new Uint8Array(randomBytes(f.valueBytes));
    let leader = await sys.leader(30_000);
    log(`${sys.name}: member ${leader} leads; warming up`);
    await closedLoop(sys, leader, 16, 1000, value);
    const levels = new Map<number, LoadResult>();
    for (const n of [...new Set([...f.levels, 16])].sort((a, b) => a - b)) {
      leader = await sys.leader(30_000);
      const r = await closedLoop(sys, leader, n, f.durationS * 1000, value);
      levels.set(n, r);
      log(`${sys.name}: ${n} in flight: ${r.commitsPerS.toFixed(0)} commits/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${r.errors} errors`);
    }
    const failoversMs: number[] = [];
    for (let i = 0; i < f.failovers; i++) {
      const ms = await failover(sys, value, i);
      failoversMs.push(ms);
      log(`${sys.name}: failover ${i + 1}/${f.failovers}: ${ms.toFixed(0)} ms`);
    }
    return { levels, failoversMs };
  } finally {
    await sys.close();
  }
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function run(argv: string[]): Promise<void> {
  const f = parseFlags(argv);
  const dir = await mkdtemp(join(tmpdir(), 'shoal-bench-raft-'));
  const results = new Map<string, SystemResult>();
  try {
    results.set('shoal', await measure(new ShoalSystem(join(dir, 'shoal'), f), f));
    if (f.etcd && EtcdSystem.available()) {
      await mkdir(join(dir, 'etcd'), { recursive: true });
      results.set('etcd', await measure(new EtcdSystem(join(dir, 'etcd'), f), f));
    } else if (f.etcd) {
      log('etcd not installed (apt-get install etcd-server): no reference column');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const cols = [...results.keys()];
  const fmt = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : '-');
  const rows: [string, (r: SystemResult) => string][] = [
    ...[...new Set(f.levels)].map((n): [string, (r: SystemResult) => string] => [`commits/s, ${n} in flight`, (r) => fmt(r.levels.get(n)?.commitsPerS ?? NaN)]),
    ['commit p50 @16 in flight (ms)', (r) => fmt(r.levels.get(16)?.p50 ?? NaN, 2)],
    ['commit p99 @16 in flight (ms)', (r) => fmt(r.levels.get(16)?.p99 ?? NaN, 2)],
    [`failover median of ${f.failovers} (ms)`, (r) => fmt(median(r.failoversMs))],
    ['failover runs (ms)', (r) => r.failoversMs.map((x) => x.toFixed(0)).join(' ')],
  ];
  const header = `Raft, 3 members in separate processes on 127.0.0.1, fsync on, ${f.valueBytes}-byte values, ` +
    `tick ${f.tickMs} ms x election ${f.electionTick}, ${f.durationS} s per level, client over HTTP keep-alive` +
    (f.leaderSendsBeforePersist ? ', shoal leader sends before its own fsync' : '');
  const w0 = Math.max(...rows.map(([n]) => n.length)) + 2;
  const w1 = Math.max(12, ...rows.flatMap(([, get]) => cols.map((c) => get(results.get(c)!).length))) + 3;
  const lines = [header, ''.padEnd(w0) + cols.map((c) => c.padStart(w1)).join('')];
  for (const [name, get] of rows) lines.push(name.padEnd(w0) + cols.map((c) => get(results.get(c)!).padStart(w1)).join(''));
  process.stdout.write(lines.join('\n') + '\n');

  if (f.json) {
    const s = results.get('shoal')!;
    const out: Record<string, number | number[]> = {
      commits_per_s_1: round(s.levels.get(1)?.commitsPerS),
      commits_per_s_16: round(s.levels.get(16)?.commitsPerS),
      commits_per_s_256: round(s.levels.get(256)?.commitsPerS),
      commit_p50_ms: round(s.levels.get(16)?.p50, 3),
      commit_p99_ms: round(s.levels.get(16)?.p99, 3),
      failover_ms_median: round(median(s.failoversMs)),
      failover_ms_runs: s.failoversMs.map((x) => round(x)),
    };
    const e = results.get('etcd');
    if (e) {
      out['etcd_commits_per_s_1'] = round(e.levels.get(1)?.commitsPerS);
      out['etcd_commits_per_s_16'] = round(e.levels.get(16)?.commitsPerS);
      out['etcd_commits_per_s_256'] = round(e.levels.get(256)?.commitsPerS);
      out['etcd_commit_p50_ms'] = round(e.levels.get(16)?.p50, 3);
      out['etcd_commit_p99_ms'] = round(e.levels.get(16)?.p99, 3);
      out['etcd_failover_ms_median'] = round(median(e.failoversMs));
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  }
}

function round(v: number | undefined, digits = 0): number {
  if (v === undefined || !Number.isFinite(v)) return NaN;
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
