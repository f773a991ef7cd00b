// `npm run bench -- scheduler [--json] [--nodes 1000,5000] [--pods 10000] [--stream-pods 2000]
//                             [--rate 100] [--concurrency 256] [--no-events] [--timeout-s 600]
//                             [--parallel-binds 64]`
//
// Per node count: a fresh API server over MemoryStorage in a child process (with the load
// generator and the stopwatch), N simulated nodes (Node objects: Ready, 32 CPU / 128Gi / 110
// pods, 3 zones), then the Scheduler in this process:
// - burst: --pods pods created at once (--concurrency creates in flight), scheduled pods/s from
//   the first create to the last bind seen;
// - stream: --stream-pods pods created open-loop at --rate pods/s;
// create-to-bound latency = from issuing the create to the watch showing spec.nodeName.
// JSON: pods_per_s_<N>_nodes = the burst's pods/s; bind_p99_ms = the stream's p99 at the largest N.
// A "cycle only" row per N times the pure scheduling cycle with no API (what the algorithm costs).
// Pods: 100m CPU / 128Mi, 100 owners (so spreading scores work). kube-scheduler's figure is its
// published one (not measured here). A quick run: --nodes 500,1000 --pods 2000 --stream-pods 1000.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { nodeSchema, podSchema } from '../../api/index.js';
import { ShoalClient } from '../../client/index.js';
import { DEFAULT_PLUGINS, DEFAULT_SCORE_WEIGHTS, makeProfile, podInfo, SchedulerCache, schedulePod, Scheduler } from '../../control-plane/scheduler/index.js';
import type { LoadCommand, LoadReply, PhaseResult } from './scheduler-load.js';

interface Flags {
  json: boolean;
  nodes: number[];
  pods: number;
  streamPods: number;
  rate: number;
  concurrency: number;
  events: boolean;
  timeoutS: number;
  parallelBinds: number;
}

/** kube-scheduler's published throughput at 5000 nodes (its scalability tests); a constant, not measured. */
const KUBE_PUBLISHED_PODS_PER_S_5000 = 100;

const positive = (flag: string, text: string | undefined): number => {
  const v = Number(text);
  if (text === undefined || !Number.isFinite(v) || v <= 0) throw new Error(`${flag} needs a positive number, got ${text === undefined ? 'nothing' : JSON.stringify(text)}`);
  return v;
};

/** Flags that take a value, and where it goes. */
const VALUE_FLAGS: Readonly<Record<string, (f: Flags, text: string | undefined, flag: string) => void>> = {
  '--nodes': (f, text, flag) => (f.nodes = (text ?? '').split(',').map((x) => {
    const n = positive(flag, x);
    if (!Number.isInteger(n)) throw new Error(`${flag}: "${x}" is not a whole number`);
    return n;
  })),
  '--pods': (f, text, flag) => (f.pods = positive(flag, text)),
  '--stream-pods': (f, text, flag) => (f.streamPods = positive(flag, text)),
  '--rate': (f, text, flag) => (f.rate = positive(flag, text)),
  '--concurrency': (f, text, flag) => (f.concurrency = positive(flag, text)),
  '--timeout-s': (f, text, flag) => (f.timeoutS = positive(flag, text)),
  '--parallel-binds': (f, text, flag) => (f.parallelBinds = positive(flag, text)),
};

function parseFlags(argv: string[]): Flags {
  const f: Flags = { json: false, nodes: [1000, 5000], pods: 10_000, streamPods: 2000, rate: 100, concurrency: 256, events: true, timeoutS: 600, parallelBinds: 64 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const setter = VALUE_FLAGS[a];
    if (setter !== undefined) setter(f, argv[++i], a);
    else if (a === '--json') f.json = true;
    else if (a === '--no-events') f.events = false;
    else throw new Error(`unknown flag ${a} (see the header of scripts/bench/scheduler.ts)`);
  }
  return f;
}

class LoadProcess {
  private waiting: ((r: LoadReply) => void) | undefined;
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.(m as LoadReply);
    });
  }

  static async start(): Promise<{ load: LoadProcess; address: string }> {
    const child = fork(fileURLToPath(new URL('./scheduler-load.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const load = new LoadProcess(child);
    const r = await load.next();
    if (r.op !== 'ready') throw new Error(`load process: expected ready, got ${JSON.stringify(r)}`);
    return { load, address: r.address };
  }

  private next(): Promise<LoadReply> {
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.child.once('exit', (code) => reject(new Error(`load process exited (${code})`)));
    });
  }

  async run(cmd: LoadCommand): Promise<PhaseResult | undefined> {
    const reply = this.next();
    this.child.send(cmd);
    const r = await reply;
    if (r.op === 'error') throw new Error(`load process: ${r.message}`);
    if (r.op !== 'done') throw new Error(`load process: unexpected ${JSON.stringify(r)}`);
    return r.result;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.disconnect();
    });
  }
}

interface Row {
  nodes: number;
  phase: string;
  r: PhaseResult;
  /** Scheduler process CPU per bound pod (ms), when measured. */
  cpuMsPerPod?: number;
}

/**
 * The pure cycle alone (no API): decisions/s over a cache of `nodes` nodes with the same pods,
 * each decision assumed before the next, so it shows what the algorithm costs on this machine.
 */
function cycleOnly(nodes: number, pods: number): Row {
  const cache = new SchedulerCache();
  const allocatable = { cpu: '32', memory: '128Gi', pods: '110' };
  for (let i = 0; i < nodes; i++)
    cache.setNode(nodeSchema.parse({ apiVersion: 'v1', kind: 'Node', metadata: { name: `n${i}`, labels: { 'topology.kubernetes.io/zone': `zone-${i % 3}` } }, spec: {}, status: { allocatable, conditions: [{ type: 'Ready', status: 'True' }] } }));
  const profile = makeProfile(DEFAULT_PLUGINS, DEFAULT_SCORE_WEIGHTS);
  const infos = Array.from({ length: pods }, (_, i) =>
    podInfo(podSchema.parse({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p${i}`, namespace: 'default', uid: `u${i}`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs${i % 100}`, uid: `rs${i % 100}`, controller: true }] },
      spec: { containers: [{ name: 'c', image: 'busybox:1', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
    })),
  );
  let seed = 1;
  const rng = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  let start = 0;
  let bound = 0;
  const t0 = performance.now();
  const lat: number[] = [];
  for (const p of infos) {
    const s = performance.now();
    const d = schedulePod({ pod: p, snapshot: cache.snapshot(), profile, rng, startIndex: start });
    start = d.nextStartIndex;
    if (d.kind === 'scheduled') {
      cache.assume(p, d.node);
      bound++;
    }
    lat.push(performance.now() - s);
  }
  const seconds = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const q = (x: number): number => lat[Math.min(lat.length - 1, Math.ceil(x * lat.length) - 1)] ?? NaN;
  return { nodes, phase: 'cycle only', r: { pods, bound, seconds, createSeconds: 0, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: lat.at(-1) ?? NaN } };
}

const log = (json: boolean, line: string): void => {
  (json ? process.stderr : process.stdout).write(line + '\n');
};

async function measure(nodes: number, f: Flags): Promise<Row[]> {
  const { load, address } = await LoadProcess.start();
  const client = new ShoalClient({ servers: [address] });
  let scheduler: Scheduler | undefined;
  try {
    const t0 = Date.now();
    await load.run({ op: 'nodes', count: nodes, zones: 3 });
    log(f.json, `  ${nodes} nodes registered in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    scheduler = new Scheduler({ client, log: pino({ level: 'warn' }), config: { recordScheduledEvents: f.events, parallelBinds: f.parallelBinds } });
    if (!(await scheduler.start({ syncTimeoutMs: 120_000 }))) throw new Error('scheduler did not sync');
    const rows: Row[] = [];
    const cpu = (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    let c0 = cpu();
    const burst = await load.run({ op: 'burst', pods: f.pods, prefix: 'burst', concurrency: f.concurrency, timeoutMs: f.timeoutS * 1000 });
    rows.push({ nodes, phase: `burst ${f.pods}`, r: burst!, cpuMsPerPod: (cpu() - c0) / Math.max(1, burst!.bound) });
    log(f.json, `  burst done: ${burst!.bound}/${burst!.pods} bound`);
    c0 = cpu();
    const stream = await load.run({ op: 'stream', pods: f.streamPods, ratePerS: f.rate, prefix: 'stream', timeoutMs: f.timeoutS * 1000 });
    rows.push({ nodes, phase: `stream ${f.rate}/s`, r: stream!, cpuMsPerPod: (cpu() - c0) / Math.max(1, stream!.bound) });
    const s = scheduler.stats();
    log(f.json, `  scheduler: ${s.scheduled} bound, ${s.unschedulable} unschedulable attempts, ${s.bindErrors} bind errors`);
    return rows;
  } finally {
    await scheduler?.stop();
    client.close();
    await load.stop();
  }
}

export async function run(argv: string[]): Promise<void> {
  const f = parseFlags(argv);
  const rows: Row[] = [];
  for (const n of f.nodes) {
    log(f.json, `${n} nodes:`);
    rows.push(cycleOnly(n, f.pods));
    rows.push(...(await measure(n, f)));
  }
  const pad = (s: string, w: number): string => s.padStart(w);
  const fmt = (x: number, d = 0): string => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const out: string[] = [];
  out.push('');
  out.push(`scheduler: pods ${f.pods} burst + ${f.streamPods} stream, events ${f.events ? 'on' : 'off'}, ${f.parallelBinds} binds in flight; API server (MemoryStorage) + load in a child process, scheduler in this one; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  out.push('latency: burst/stream = create issued → watch sees spec.nodeName; cycle only = one decision (no API)');
  out.push(`${'nodes'.padEnd(7)}${'phase'.padEnd(16)}${pad('bound', 7)}${pad('seconds', 9)}${pad('pods/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}${pad('cpu ms/pod', 12)}`);
  for (const { nodes, phase, r, cpuMsPerPod } of rows)
    out.push(`${String(nodes).padEnd(7)}${phase.padEnd(16)}${pad(String(r.bound), 7)}${pad(fmt(r.seconds, 1), 9)}${pad(fmt(r.bound / r.seconds), 9)}${pad(fmt(r.p50Ms, phase === 'cycle only' ? 2 : 0), 9)}${pad(fmt(r.p99Ms, phase === 'cycle only' ? 2 : 0), 9)}${pad(fmt(r.maxMs, phase === 'cycle only' ? 2 : 0), 9)}${pad(cpuMsPerPod === undefined ? '' : fmt(cpuMsPerPod, 2), 12)}`);
  out.push(`${'5000'.padEnd(7)}${'kube-scheduler'.padEnd(16)}${pad('', 7)}${pad('', 9)}${pad(`~${KUBE_PUBLISHED_PODS_PER_S_5000}`, 9)}   (published figure, not measured)`);
  for (const l of out) log(f.json, l);
  if (f.json) {
    const burstRate = (n: number): number | null => {
      const r = rows.find((x) => x.nodes === n && x.phase.startsWith('burst'))?.r;
      return r ? Math.round(r.bound / r.seconds) : null;
    };
    const largest = Math.max(...f.nodes);
    // Steady state: the stream's p99 at the largest cluster (a burst's p99 is mostly its own queue).
    const p99 = rows.find((x) => x.nodes === largest && x.phase.startsWith('stream'))?.r.p99Ms ?? NaN;
    process.stdout.write(JSON.stringify({ pods_per_s_1000_nodes: burstRate(1000), pods_per_s_5000_nodes: burstRate(5000), bind_p99_ms: Math.round(p99), nodes: f.nodes, pods: f.pods, stream_pods: f.streamPods, rate: f.rate }) + '\n');
  }
}
