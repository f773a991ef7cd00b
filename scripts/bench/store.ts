// `npm run bench -- store [--json] [--duration 10] [--only shoal|etcd] [--seq-puts 2000]
//                         [--watch-events 1000] [--failovers 3] [--in-flight 64] [--value-bytes 256]
//                         [--rounds 1] [--cpu-prof DIR] [--shoal-root DIR] [--keep]`
//
// A fresh 3-member Shoal store (`shoal-control-plane`) and a fresh 3-member real etcd (Debian's
// etcd-server 3.4), one after the other, never both at once (2 cores), each started with the same
// etcd flags on 127.0.0.1 (fsync on, heartbeat 100 ms, election timeout 1000 ms), and the same
// workloads through the same npm `etcd3` client with identical options (see store-client.ts):
// - sequential put latency p50/p99 (one client, one put at a time, to the leader);
// - put throughput with 64 requests in flight for --duration (closed loop, to the leader);
// - linearizable get throughput with 64 in flight for --duration (to the leader);
// - watch latency p50/p99: put acknowledged (writer on the leader) to event received (watcher on
//   its own connection to a follower);
// - failover gap: a writer per member with a 100 ms deadline per put and immediate retry; kill -9
//   the leader; last acknowledged write before the kill to the first acknowledged after it;
//   median of --failovers runs, the killed member restarted in between.
// Put and get throughput use 1000 keys of --value-bytes each. The table has Shoal/etcd ratios;
// with --json the last line is one JSON object. --rounds N repeats the pair N times in alternating
// order (shoal, etcd, etcd, shoal, ...) and reports medians, which evens out a machine whose other
// load changes over time; the table shows how many cores other processes used during each
// system's put/get loads. --cpu-prof DIR profiles the Shoal members (SIGTERM at the end writes
// the profiles; summarise them with scripts/bench/cpuprofile-top.ts). --shoal-root DIR runs the
// `shoal-control-plane` of another checkout (default: this one).
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Etcd3 } from 'etcd3';
import type { ClusterSettings, MemberCommand } from './store-cluster.js';
import type { ProcessRegistry } from './store-cluster.js';
import { LocalStoreCluster, etcdCommand, shoalCommand } from './store-cluster.js';
import type { ComparisonRow } from './bench-run.js';
import { comparisonTable, round, withProcesses } from './bench-run.js';
import { clientOptions } from './store-client.js';
import type { CpuSample, CpuUse } from './store-cpu.js';
import { cpuBetween, sampleCpu } from './store-cpu.js';
import type { FailoverRun, Latency, Throughput, WatchLatency, WorkloadSettings } from './store-workloads.js';
import { failover, getLoad, median, nowMs, prefill, putLoad, randomValue, sequentialPuts, watchLatency } from './store-workloads.js';

const SYSTEMS = ['shoal', 'etcd'] as const;
type SystemName = (typeof SYSTEMS)[number];

interface Flags {
  json: boolean;
  only: SystemName | undefined;
  failovers: number;
  rounds: number;
  cpuProf: string | undefined;
  keep: boolean;
  shoalRoot: string | undefined;
  cluster: ClusterSettings;
  work: WorkloadSettings;
}

function parseFlags(argv: string[]): Flags {
  const f: Flags = {
    json: false,
    only: undefined,
    failovers: 3,
    rounds: 1,
    cpuProf: undefined,
    keep: false,
    shoalRoot: undefined,
    cluster: { heartbeatMs: 100, electionMs: 1000, snapshotCount: 10_000 },
    work: { valueBytes: 256, keys: 1000, seqPuts: 2000, durationMs: 10_000, inFlight: 64, watchEvents: 1000, failoverDeadlineMs: 100, deadlineMs: 5000 },
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const num = (min = 0): number => {
      const v = Number(val());
      if (!Number.isFinite(v) || v < min) throw new Error(`${a} needs a number >= ${min}`);
      return v;
    };
    if (a === '--json') f.json = true;
    else if (a === '--keep') f.keep = true;
    else if (a === '--only') {
      const v = val();
      if (v !== 'shoal' && v !== 'etcd') throw new Error('--only takes shoal or etcd');
      f.only = v;
    } else if (a === '--duration') f.work.durationMs = num(0.1) * 1000;
    else if (a === '--seq-puts') f.work.seqPuts = Math.round(num(1));
    else if (a === '--watch-events') f.work.watchEvents = Math.round(num(1));
    else if (a === '--in-flight') f.work.inFlight = Math.round(num(1));
    else if (a === '--value-bytes') f.work.valueBytes = Math.round(num(1));
    else if (a === '--failovers') f.failovers = Math.round(num(0));
    else if (a === '--rounds') f.rounds = Math.round(num(1));
    else if (a === '--cpu-prof') f.cpuProf = resolve(val());
    else if (a === '--shoal-root') f.shoalRoot = resolve(val());
    else throw new Error(`unknown flag ${a}`);
  }
  return f;
}

const log = (msg: string): void => {
  process.stderr.write(`[bench store] ${msg}\n`);
};

interface SystemResult {
  put: Latency;
  putLoad: Throughput;
  getLoad: Throughput;
  watch: WatchLatency;
  failovers: FailoverRun[];
  /** During the sequential puts and the put and get loads (those requests are the ones counted). */
  cpu: CpuUse;
  /** CPU ms the 3 members used per request, by phase. */
  cpuPerRequest: { seqPut: number; put: number; get: number };
}

function tailLogs(cluster: LocalStoreCluster, lines = 15): void {
  for (const id of cluster.ids()) {
    const file = cluster.logFile(id);
    if (!existsSync(file)) continue;
    const tail = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    log(`${cluster.system} member ${id} log (last ${lines} lines):\n${tail}`);
  }
}

async function measure(cmd: MemberCommand, dir: string, f: Flags, registry: ProcessRegistry): Promise<SystemResult> {
  const cluster = new LocalStoreCluster(cmd, dir, f.cluster, registry);
  const w = f.work;
  const started = nowMs();
  // the time since the members started lines the log up with their CPU profiles
  const say = (msg: string): void => log(`${cmd.system} +${((nowMs() - started) / 1000).toFixed(1)} s: ${msg}`);
  say(`starting 3 members in ${dir}`);
  await cluster.start();
  let leaderClient: Etcd3 | undefined;
  try {
    await cluster.settle(60_000);
    const value = randomValue(w.valueBytes);
    const leader = await cluster.leader(30_000);
    const follower = cluster.ids().find((id) => id !== leader)!;
    leaderClient = new Etcd3(clientOptions([cluster.clientUrl(leader)], w.deadlineMs));
    say(`member ${leader} (pid ${cluster.pid(leader) ?? '?'}) leads; warming up`);
    await sequentialPuts(leaderClient, 200, value, w.keys);
    await prefill(leaderClient, w, value);
    await putLoad(leaderClient, w, value, 1000);

    say('sequential puts');
    const cpu0 = sampleCpu(cluster.pids());
    const put = await sequentialPuts(leaderClient, w.seqPuts, value, w.keys);
    say(`${put.n} sequential puts: p50 ${put.p50.toFixed(2)} ms, p99 ${put.p99.toFixed(2)} ms`);
    say('put load');
    const cpu1 = sampleCpu(cluster.pids());
    const pl = await putLoad(leaderClient, w, value, w.durationMs);
    say(`puts at ${w.inFlight} in flight: ${pl.perS.toFixed(0)}/s (${pl.ok} ok, ${pl.errors} errors${pl.firstError ? `, first: ${pl.firstError}` : ''})`);
    say('get load');
    const cpu2 = sampleCpu(cluster.pids());
    const gl = await getLoad(leaderClient, w, w.durationMs);
    say(`linearizable gets at ${w.inFlight} in flight: ${gl.perS.toFixed(0)}/s (${gl.ok} ok, ${gl.errors} errors${gl.firstError ? `, first: ${gl.firstError}` : ''})`);
    const cpu3 = sampleCpu(cluster.pids());
    const cpu = cpuBetween(cpu0, cpu3);
    // members' CPU milliseconds per request of each phase
    const perRequest = (a: CpuSample, b: CpuSample, n: number): number => {
      const u = cpuBetween(a, b);
      return (1000 * u.membersCores * u.seconds) / n;
    };
    const cpuPerRequest = { seqPut: perRequest(cpu0, cpu1, put.n), put: perRequest(cpu1, cpu2, pl.ok), get: perRequest(cpu2, cpu3, gl.ok) };
    say(`CPU during put/get: client ${cpu.clientCores.toFixed(2)}, members ${cpu.membersCores.toFixed(2)}, other processes ${cpu.othersCores.toFixed(2)} cores`);
    leaderClient.close();
    leaderClient = undefined;
    say('watch');
    const watch = await watchLatency(cluster.clientUrl(leader), cluster.clientUrl(follower), w, value);
    say(`watch, ${watch.n} events: p50 ${watch.p50.toFixed(2)} ms, p99 ${watch.p99.toFixed(2)} ms (${watch.early} before the ack, ${watch.lost} lost)${watch.failure ? `; stopped: ${watch.failure}` : ''}`);

    const failovers: FailoverRun[] = [];
    for (let i = 0; i < f.failovers; i++) {
      await cluster.settle(60_000);
      const r = await failover(cluster, w, value, i);
      failovers.push(r);
      say(`failover ${i + 1}/${f.failovers}: killed member ${r.killedLeader}, gap ${r.gapMs.toFixed(0)} ms (${r.failedAttempts} failed attempts)`);
      cluster.startMember(r.killedLeader);
    }
    if (f.failovers > 0) await cluster.settle(60_000);
    const crashed = cluster.crashed();
    if (crashed.length > 0) throw new Error(`${cmd.system}: member(s) ${crashed.join(', ')} exited during the run`);
    return { put, putLoad: pl, getLoad: gl, watch, failovers, cpu, cpuPerRequest };
  } catch (err) {
    tailLogs(cluster);
    throw err;
  } finally {
    leaderClient?.close();
    await cluster.close();
  }
}

type Row = ComparisonRow<SystemResult[]>;

export async function run(argv: string[]): Promise<void> {
  const f = parseFlags(argv);
  const results = new Map<SystemName, SystemResult[]>();
  const order: SystemName[] = [];
  for (let r = 0; r < f.rounds; r++) order.push(...(r % 2 === 0 ? SYSTEMS : [...SYSTEMS].reverse()).filter((s) => f.only === undefined || f.only === s));
  await withProcesses('shoal-bench-store-', f.keep, log, async (dir, registry) => {
    for (const [i, system] of order.entries()) {
      let cmd: MemberCommand | undefined;
      if (system === 'etcd') {
        cmd = etcdCommand();
        if (!cmd) throw new Error('etcd is not installed (apt-get install etcd-server)');
      } else {
        if (f.cpuProf) await mkdir(f.cpuProf, { recursive: true });
        cmd = shoalCommand(f.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${f.cpuProf}`] : [], f.shoalRoot);
        if (!cmd) throw new Error(`${f.shoalRoot ?? 'this checkout'}: package.json has no runnable bin "shoal-control-plane" (yet); --only etcd measures etcd alone`);
      }
      const r = await measure(cmd, join(dir, `${system}-${i}`), f, registry);
      results.set(system, [...(results.get(system) ?? []), r]);
    }
  });
  if (f.cpuProf) log(`CPU profiles of the Shoal members: ${(await readdir(f.cpuProf)).map((p) => join(f.cpuProf!, p)).join(' ')}`);

  const w = f.work;
  const m = (get: (r: SystemResult) => number) => (rs: SystemResult[]): number => median(rs.map(get));
  const failoverGap = (rs: SystemResult[]): number => median(rs.flatMap((r) => r.failovers.map((x) => x.gapMs)));
  const rounds = f.rounds > 1 ? `, median of ${f.rounds} rounds` : '';
  const rows: Row[] = [
    { name: `put p50, sequential (ms)`, get: m((r) => r.put.p50), digits: 2, ratio: true },
    { name: `put p99, sequential (ms)`, get: m((r) => r.put.p99), digits: 2, ratio: true },
    { name: `puts/s, ${w.inFlight} in flight`, get: m((r) => r.putLoad.perS), digits: 0, ratio: true },
    { name: `linearizable gets/s, ${w.inFlight} in flight`, get: m((r) => r.getLoad.perS), digits: 0, ratio: true },
    { name: `watch p50, put ack -> event (ms)`, get: m((r) => r.watch.p50), digits: 2, ratio: true },
    { name: `watch p99, put ack -> event (ms)`, get: m((r) => r.watch.p99), digits: 2, ratio: true },
    { name: `watch events before the put ack (%)`, get: m((r) => (100 * r.watch.early) / r.watch.n), digits: 0, ratio: false },
    { name: `failover gap, median of ${f.failovers * f.rounds} (ms)`, get: failoverGap, digits: 0, ratio: true },
    { name: `errors during put/get load`, get: (rs) => rs.reduce((n, r) => n + r.putLoad.errors + r.getLoad.errors, 0), digits: 0, ratio: false },
    { name: `CPU of the client, put/get (cores)`, get: m((r) => r.cpu.clientCores), digits: 2, ratio: false },
    { name: `CPU of the 3 members, put/get (cores)`, get: m((r) => r.cpu.membersCores), digits: 2, ratio: true },
    { name: `members' CPU per sequential put (ms)`, get: m((r) => r.cpuPerRequest.seqPut), digits: 2, ratio: true },
    { name: `members' CPU per put, ${w.inFlight} in flight (ms)`, get: m((r) => r.cpuPerRequest.put), digits: 2, ratio: true },
    { name: `members' CPU per get, ${w.inFlight} in flight (ms)`, get: m((r) => r.cpuPerRequest.get), digits: 2, ratio: true },
    { name: `CPU of other processes, put/get (cores)`, get: m((r) => r.cpu.othersCores), digits: 2, ratio: false },
  ];
  const shoal = results.get('shoal');
  const etcd = results.get('etcd');
  const header =
    `Store, 3 members each on 127.0.0.1, fsync on, heartbeat ${f.cluster.heartbeatMs} ms, election timeout ${f.cluster.electionMs} ms, ` +
    `snapshot count ${f.cluster.snapshotCount}, no auto-compaction; ` +
    `npm etcd3 client, ${w.valueBytes}-byte values, ${w.seqPuts} sequential puts, ${w.durationMs / 1000} s per load, ` +
    `${w.watchEvents} watch events (watcher on a follower), failover deadline ${w.failoverDeadlineMs} ms${rounds}`;
  const lines = [header, ...comparisonTable(['', 'Shoal', 'etcd', 'Shoal/etcd'], rows, shoal, etcd)];
  for (const [name, rs] of [['Shoal', shoal], ['etcd', etcd]] as const) {
    if (rs && f.failovers > 0) lines.push(`${name} failover gaps (ms): ${rs.flatMap((r) => r.failovers.map((x) => x.gapMs.toFixed(0))).join(' ')}`);
  }
  process.stdout.write(lines.join('\n') + '\n');

  if (f.json) {
    const obj = (rs: SystemResult[] | undefined): Record<string, number | null> | null =>
      rs
        ? {
            put_p50_ms: round(m((r) => r.put.p50)(rs), 3),
            put_p99_ms: round(m((r) => r.put.p99)(rs), 3),
            put_per_s: round(m((r) => r.putLoad.perS)(rs)),
            get_per_s: round(m((r) => r.getLoad.perS)(rs)),
            watch_p50_ms: round(m((r) => r.watch.p50)(rs), 3),
            watch_p99_ms: round(m((r) => r.watch.p99)(rs), 3),
            failover_gap_ms: round(failoverGap(rs)),
          }
        : null;
    const ratio = (get: (r: SystemResult) => number): number | null => (shoal && etcd ? round(m(get)(shoal) / m(get)(etcd), 3) : null);
    const out = {
      shoal: obj(shoal),
      etcd: obj(etcd),
      ratio: { put_per_s: ratio((r) => r.putLoad.perS), get_per_s: ratio((r) => r.getLoad.perS) },
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  }
}
