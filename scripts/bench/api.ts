// `npm run bench -- api [--json] [--duration 10] [--watchers 1000] [--in-flight 64] [--only shoal|etcd]
//                       [--rate 500] [--fanout-rounds 5] [--cpu-prof DIR] [--keep]`
//
// Shoal's API server over two stores, one after the other, never both at once (2 cores):
// - shoal: three `shoal-control-plane` processes on 127.0.0.1, each a Shoal store member with
//   the API server in the same process (as deployed);
// - etcd: a real 3-member etcd 3.4 (Debian's) with three API-server-only processes
//   (api-server-process.ts) over it: the reference.
// Stores as in `npm run bench -- store` (fsync on, heartbeat 100 ms, election 1000 ms). The same
// workloads through the typed client (client/), one connection per API server, requests spread
// over the three (see api-workloads.ts):
// - creates of small ConfigMaps with --in-flight outstanding for --duration: creates/s, p50/p99;
// - creates at a fixed --rate per second (open loop) for --duration: p99 (the issue's target is
//   p99 <= 50 ms at 500 creates/s);
// - gets of single objects with --in-flight outstanding for --duration: p99;
// - lists of a namespace holding 1000 ConfigMaps, one at a time, for --duration: p99;
// - compare-and-swap updates with --in-flight outstanding (one object per worker) for --duration;
// - watch fan-out: --watchers watches of one namespace over 4 connections per API server, then
//   one update at a time; the update's acknowledgement to the last watcher having the event,
//   median of --fanout-rounds.
// Prints a table; with --json the last line is one JSON object (the Shoal store's figures at the
// top level, the reference's under "etcd"). On a shared machine read the CPU rows first: the
// servers' CPU per create hardly depends on the neighbours, throughput and latency do (and the
// kernel shares CPU per thread, so the 6-process etcd plane gets more of a busy machine than
// the 3-process Shoal plane). --cpu-prof DIR profiles every Node.js process of the
// planes (summarise with scripts/bench/cpuprofile-top.ts).
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ShoalClient } from '../../client/index.js';
import type { PlaneSystem } from './api-plane.js';
import { ApiPlane } from './api-plane.js';
import type { FanoutRun, LatencyRun, RateRun } from './api-workloads.js';
import { apiClients, createAtRate, createLoad, createNamespaces, getLoad, listLoad, prefill, updateLoad, watchFanout } from './api-workloads.js';
import type { ComparisonRow } from './bench-run.js';
import { comparisonTable, FlagReader, round, withProcesses } from './bench-run.js';
import type { ClusterSettings, ProcessRegistry } from './store-cluster.js';
import type { CpuUse } from './store-cpu.js';
import { cpuBetween, sampleCpu } from './store-cpu.js';
import { median, nowMs } from './store-workloads.js';

const SYSTEMS = ['shoal', 'etcd'] as const;
const LIST_SIZE = 1000;
const CHANNELS_PER_SERVER = 4;

interface Flags {
  json: boolean;
  only: PlaneSystem | undefined;
  durationMs: number;
  watchers: number;
  inFlight: number;
  rate: number;
  fanoutRounds: number;
  cpuProf: string | undefined;
  keep: boolean;
}

function parseFlags(argv: string[]): Flags {
  const f: Flags = { json: false, only: undefined, durationMs: 10_000, watchers: 1000, inFlight: 64, rate: 500, fanoutRounds: 5, cpuProf: undefined, keep: false };
  const args = new FlagReader(argv);
  for (const a of args) {
    if (a === '--json') f.json = true;
    else if (a === '--keep') f.keep = true;
    else if (a === '--only') {
      const v = args.value();
      if (v !== 'shoal' && v !== 'etcd') throw new Error('--only takes shoal or etcd');
      f.only = v;
    } else if (a === '--duration') f.durationMs = args.number(0.5, 600) * 1000;
    else if (a === '--watchers') f.watchers = Math.round(args.number(1, 20_000));
    else if (a === '--in-flight') f.inFlight = Math.round(args.number(1, 4096));
    else if (a === '--rate') f.rate = args.number(1, 100_000);
    else if (a === '--fanout-rounds') f.fanoutRounds = Math.round(args.number(1, 100));
    else if (a === '--cpu-prof') f.cpuProf = resolve(args.value());
    else throw new Error(`unknown flag ${a} (see the head of scripts/bench/api.ts)`);
  }
  return f;
}

const log = (msg: string): void => {
  process.stderr.write(`[bench api] ${msg}\n`);
};

const STORE_SETTINGS: ClusterSettings = { heartbeatMs: 100, electionMs: 1000, snapshotCount: 10_000 };

interface SystemResult {
  create: LatencyRun;
  rate: RateRun;
  get: LatencyRun;
  list: LatencyRun;
  update: LatencyRun;
  fanout: FanoutRun;
  /** During the closed-loop creates. */
  createCpu: CpuUse;
  /** Of which the API-server-only processes (NaN for Shoal: one process per member runs both). */
  createApiOnlyCpu: CpuUse | undefined;
}

async function measure(system: PlaneSystem, dir: string, f: Flags, registry: ProcessRegistry): Promise<SystemResult> {
  const started = nowMs();
  const say = (msg: string): void => log(`${system} +${((nowMs() - started) / 1000).toFixed(1)} s: ${msg}`);
  const nodeArgs = f.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${f.cpuProf}`] : [];
  say(`starting the control plane in ${dir}`);
  const plane = await ApiPlane.start(system, dir, STORE_SETTINGS, registry, nodeArgs);
  let clients: ShoalClient[] = [];
  const run = (r: LatencyRun): string => `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.perS.toFixed(0)}/s (${r.ok} ok, ${r.errors} errors${r.firstError ? `, first: ${r.firstError}` : ''})`;
  try {
    clients = apiClients(plane.apiAddresses());
    say(`API servers ready on ${plane.apiAddresses().join(' ')}; warming up`);
    await createNamespaces(clients[0]!, ['bench-warm', 'bench-create', 'bench-rate', 'bench-list', 'bench-watch']);
    await createLoad(clients, 'bench-warm', f.inFlight, Math.min(2000, f.durationMs), 'warm');

    const apiOnly = plane.apiOnlyPids();
    const cpu0 = sampleCpu(plane.pids());
    const api0 = sampleCpu(apiOnly);
    const create = await createLoad(clients, 'bench-create', f.inFlight, f.durationMs, 'c');
    const createCpu = cpuBetween(cpu0, sampleCpu(plane.pids()));
    const createApiOnlyCpu = apiOnly.length > 0 ? cpuBetween(api0, sampleCpu(apiOnly)) : undefined;
    say(`creates at ${f.inFlight} in flight: ${run(create)}; CPU: client ${createCpu.clientCores.toFixed(2)}, servers ${createCpu.membersCores.toFixed(2)}, others ${createCpu.othersCores.toFixed(2)} cores`);
    const rate = await createAtRate(clients, 'bench-rate', f.rate, f.durationMs, 1000);
    say(`creates at ${f.rate}/s: ${run(rate)}, ${rate.skipped} skipped`);

    say(`prefilling ${LIST_SIZE} ConfigMaps`);
    const objects = await prefill(clients, 'bench-list', 'cm', LIST_SIZE, f.inFlight);
    const get = await getLoad(clients, 'bench-list', objects.map((o) => o.metadata.name ?? ''), f.inFlight, f.durationMs);
    say(`gets at ${f.inFlight} in flight: ${run(get)}`);
    const list = await listLoad(clients, 'bench-list', LIST_SIZE, f.durationMs);
    say(`lists of ${LIST_SIZE}, sequential: ${run(list)}`);
    const update = await updateLoad(clients, objects, f.inFlight, f.durationMs);
    say(`CAS updates at ${f.inFlight} in flight: ${run(update)}`);

    const fanout = await watchFanout(plane.apiAddresses(), clients[0]!, 'bench-watch', f.watchers, CHANNELS_PER_SERVER, f.fanoutRounds, say);
    say(`fan-out to ${fanout.watchers} watchers: ${fanout.rounds.map((r) => r.toFixed(0)).join(' ')} ms (median ${fanout.medianMs.toFixed(1)} ms)`);
    const crashed = plane.crashed();
    if (crashed.length > 0) throw new Error(`${system}: ${crashed.join(', ')} exited during the run`);
    return { create, rate, get, list, update, fanout, createCpu, createApiOnlyCpu };
  } catch (e) {
    plane.tailLogs();
    throw e;
  } finally {
    for (const c of clients) c.close();
    await plane.close();
  }
}

type Row = ComparisonRow<SystemResult>;

/** CPU milliseconds of the sampled processes per successful closed-loop create. */
const cpuPerCreate = (u: CpuUse, r: SystemResult): number => (1000 * u.membersCores * u.seconds) / r.create.ok;

export async function run(argv: string[]): Promise<void> {
  const f = parseFlags(argv);
  const results = new Map<PlaneSystem, SystemResult>();
  if (f.cpuProf) await mkdir(f.cpuProf, { recursive: true });
  await withProcesses('shoal-bench-api-', f.keep, log, async (dir, registry) => {
    for (const system of SYSTEMS.filter((s) => f.only === undefined || f.only === s)) results.set(system, await measure(system, join(dir, system), f, registry));
  });
  if (f.cpuProf) log(`CPU profiles: ${(await readdir(f.cpuProf)).map((p) => join(f.cpuProf!, p)).join(' ')}`);

  const n = f.inFlight;
  const rows: Row[] = [
    { name: `creates/s, ${n} in flight`, get: (r) => r.create.perS, digits: 0, ratio: true },
    { name: `create p50, ${n} in flight (ms)`, get: (r) => r.create.p50, digits: 1, ratio: true },
    { name: `create p99, ${n} in flight (ms)`, get: (r) => r.create.p99, digits: 1, ratio: true },
    { name: `create p99 at ${f.rate}/s (ms)`, get: (r) => r.rate.p99, digits: 1, ratio: true },
    { name: `creates/s achieved at ${f.rate}/s`, get: (r) => r.rate.perS, digits: 0, ratio: false },
    { name: `get p99, ${n} in flight (ms)`, get: (r) => r.get.p99, digits: 1, ratio: true },
    { name: `gets/s, ${n} in flight`, get: (r) => r.get.perS, digits: 0, ratio: true },
    { name: `list of ${LIST_SIZE} p99, sequential (ms)`, get: (r) => r.list.p99, digits: 1, ratio: true },
    { name: `list of ${LIST_SIZE} p50, sequential (ms)`, get: (r) => r.list.p50, digits: 1, ratio: true },
    { name: `CAS update p99, ${n} in flight (ms)`, get: (r) => r.update.p99, digits: 1, ratio: true },
    { name: `CAS updates/s, ${n} in flight`, get: (r) => r.update.perS, digits: 0, ratio: true },
    { name: `fan-out to ${f.watchers} watchers, median (ms)`, get: (r) => r.fanout.medianMs, digits: 1, ratio: true },
    { name: `fan-out, ack to first watcher, median (ms)`, get: (r) => median(r.fanout.firstRounds), digits: 1, ratio: false },
    { name: `errors (all phases)`, get: (r) => r.create.errors + r.rate.errors + r.get.errors + r.list.errors + r.update.errors, digits: 0, ratio: false },
    { name: `creates skipped at ${f.rate}/s (${1000} outstanding)`, get: (r) => r.rate.skipped, digits: 0, ratio: false },
    { name: `CPU during creates: bench client (cores)`, get: (r) => r.createCpu.clientCores, digits: 2, ratio: false },
    { name: `CPU during creates: servers (cores)`, get: (r) => r.createCpu.membersCores, digits: 2, ratio: true },
    { name: `servers' CPU per create, ${n} in flight (ms)`, get: (r) => cpuPerCreate(r.createCpu, r), digits: 2, ratio: true },
    { name: `  of which API-server-only processes (ms)`, get: (r) => (r.createApiOnlyCpu ? cpuPerCreate(r.createApiOnlyCpu, r) : NaN), digits: 2, ratio: false },
    { name: `CPU during creates: other processes (cores)`, get: (r) => r.createCpu.othersCores, digits: 2, ratio: false },
  ];
  const shoal = results.get('shoal');
  const etcd = results.get('etcd');
  const header =
    `API server over the Shoal store (3 shoal-control-plane processes) vs over etcd 3.4 (3 members + 3 API-server processes), 127.0.0.1, ` +
    `fsync on; typed client, one connection per API server; small ConfigMaps; ${f.durationMs / 1000} s per load; ` +
    `${f.watchers} watchers over ${3 * CHANNELS_PER_SERVER} connections, ${f.fanoutRounds} fan-out rounds; ratio = shoal/etcd`;
  const lines = [header, ...comparisonTable(['metric', 'shoal store', 'etcd store', 'ratio'], rows, shoal, etcd)];
  process.stdout.write(lines.join('\n') + '\n');

  if (f.json) {
    const obj = (r: SystemResult | undefined): Record<string, number | null> => ({
      creates_per_s: round(r?.create.perS),
      create_p50_ms: round(r?.create.p50, 2),
      create_p99_ms: round(r?.create.p99, 2),
      [`create_p99_at_${f.rate}_per_s_ms`]: round(r?.rate.p99, 2),
      get_p99_ms: round(r?.get.p99, 2),
      gets_per_s: round(r?.get.perS),
      list_1000_p99_ms: round(r?.list.p99, 2),
      update_p99_ms: round(r?.update.p99, 2),
      updates_per_s: round(r?.update.perS),
      fanout_1000_ms: round(r?.fanout.medianMs, 2),
      server_cpu_ms_per_create: round(r ? cpuPerCreate(r.createCpu, r) : undefined, 2),
      watchers: r ? r.fanout.watchers : null,
    });
    process.stdout.write(JSON.stringify({ ...obj(shoal), etcd: etcd ? obj(etcd) : null }) + '\n');
  }
}
