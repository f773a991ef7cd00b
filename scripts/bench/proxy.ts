// `npm run bench -- proxy [--json] [--sizes 1000,10000] [--backend nft|legacy] [--changes 20] [--chunk 1000]`
//
// The service proxy on real iptables, in a network namespace of its own (the root namespace is
// never touched; the namespace is deleted at the end and on SIGINT/SIGTERM):
// - full sync: Services × 5 ready endpoints each → renderRuleset → applyRuleset
//   (iptables-restore --noflush; staged on nft, see apply-ruleset.ts) into an empty namespace,
//   render and restore timed apart;
// - change to rule: a ServiceProxier in the namespace watches an in-process API server holding
//   1000 services; one Endpoints object is updated (a new address) and the time from issuing the
//   update to the proxier's restore having completed (its onSynced report) is taken, --changes
//   times, one at a time.
// Back end: detected in the namespace as the agent does (an empty namespace → the system default),
// or --backend. References (quoted, not measured): kube-proxy's iptables-restore runs took 4–5 s
// in large clusters; its network programming latency at 5000 nodes ≈ 5 s p50 after KEP-3453.
// JSON: sync_1000_ms, sync_10000_ms, change_to_rule_ms (p50), plus the splits.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pino from 'pino';
import { endpointsSchema, serviceSchema } from '../../api/index.js';
import type { Endpoints, Service } from '../../api/index.js';
import { ShoalClient, insecureCredentials, systemClock } from '../../client/index.js';
import { ApiServer, systemClock as apiClock } from '../../control-plane/apiserver/index.js';
import { MemoryStorage } from '../../control-plane/apiserver/storage/index.js';
import { CommandIptables, DEFAULT_CHUNK_CHAINS, ServiceProxier, applyRuleset, probeBackend, renderRuleset } from '../../node-agent/index.js';
import type { IptablesBackend, SyncReport } from '../../node-agent/index.js';
import { FlagReader, round } from './bench-run.js';

// Service i's cluster IP: offsets from 2 on, as the allocator never hands out the network address
// and keeps 10.96.0.1 for the kubernetes Service.
function serviceIp(i: number): string {
  const n = i + 2;
  return `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

const execFileP = promisify(execFile);

interface Flags {
  json: boolean;
  sizes: number[];
  backend: IptablesBackend | undefined;
  changes: number;
  chunk: number;
}

function parseFlags(argv: readonly string[]): Flags {
  const f: Flags = { json: false, sizes: [1000, 10000], backend: undefined, changes: 20, chunk: DEFAULT_CHUNK_CHAINS };
  const r = new FlagReader(argv);
  for (const a of r) {
    if (a === '--json') f.json = true;
    else if (a === '--sizes') f.sizes = r.value().split(',').map(Number);
    else if (a === '--backend') {
      const b = r.value();
      if (b !== 'nft' && b !== 'legacy') throw new Error('--backend: nft or legacy');
      f.backend = b;
    } else if (a === '--changes') f.changes = r.number(1, 1000);
    else if (a === '--chunk') f.chunk = r.number(10);
    else throw new Error(`unknown flag ${a} (known: --json --sizes --backend --changes --chunk)`);
  }
  if (f.sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 60000)) throw new Error('--sizes: integers from 1 to 60000');
  return f;
}

const NODE = { nodeName: 'bench-node', nodeIPs: ['10.77.0.21'], clusterCIDR: '10.244.0.0/16' };

function objects(n: number): { services: Service[]; endpoints: Endpoints[] } {
  const services: Service[] = [];
  const endpoints: Endpoints[] = [];
  for (let i = 0; i < n; i++) {
    const metadata = { name: `svc-${i}`, namespace: 'default' };
    services.push(serviceSchema.parse({ apiVersion: 'v1', kind: 'Service', metadata, spec: { clusterIP: serviceIp(i), ports: [{ port: 80, targetPort: 8080 }] } }));
    endpoints.push(endpointsSchema.parse({ apiVersion: 'v1', kind: 'Endpoints', metadata, subsets: [{ addresses: [1, 2, 3, 4, 5].map((k) => ({ ip: `10.244.${k}.${(i % 250) + 1}` })), ports: [{ port: 8080 }] }] }));
  }
  return { services, endpoints };
}

/** A namespace for one measurement; removed by the returned function (also on exit). */
async function netns(): Promise<{ prefix: string[]; remove: () => Promise<void> }> {
  const name = `shoal-b-${randomBytes(4).toString('hex')}`;
  await execFileP('ip', ['netns', 'add', name]);
  const drop = (): void => void execFile('ip', ['netns', 'del', name], () => undefined);
  process.once('exit', drop);
  return {
    prefix: ['nsenter', `--net=/var/run/netns/${name}`],
    remove: async () => {
      process.removeListener('exit', drop);
      await execFileP('ip', ['netns', 'del', name]).catch(() => undefined);
    },
  };
}

interface SyncResult {
  services: number;
  renderMs: number;
  restoreMs: number;
  restores: number;
  bytes: number;
}

async function fullSync(n: number, backend: IptablesBackend, chunk: number): Promise<SyncResult> {
  const { services, endpoints } = objects(n);
  const ns = await netns();
  try {
    const ex = new CommandIptables({ backend, prefix: ns.prefix, timeoutMs: 600_000 });
    const t0 = performance.now();
    const rendered = renderRuleset({ services, endpoints, node: NODE });
    const t1 = performance.now();
    const restores = await applyRuleset(ex, rendered, chunk);
    const t2 = performance.now();
    return { services: n, renderMs: t1 - t0, restoreMs: t2 - t1, restores, bytes: rendered.text.length };
  } finally {
    await ns.remove();
  }
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function changeToRule(backend: IptablesBackend, changes: number, log: (m: string) => void): Promise<{ p50: number; p99: number; partialMs: number }> {
  const storage = new MemoryStorage();
  const server = new ApiServer({ storage, clock: apiClock, log: pino({ level: 'silent' }), options: { processMetrics: false } });
  const { grpcPort } = await server.listen({ grpc: '127.0.0.1:0' });
  await server.ready;
  const client = new ShoalClient({ servers: [`127.0.0.1:${grpcPort}`], credentials: insecureCredentials });
  const ns = await netns();
  const reports: SyncReport[] = [];
  let onReport: (() => void) | undefined;
  const proxier = new ServiceProxier({
    client,
    iptables: new CommandIptables({ backend, prefix: ns.prefix }),
    clock: systemClock,
    log: pino({ level: 'silent' }),
    onSynced: (r) => {
      reports.push(r);
      onReport?.();
    },
    config: { nodeName: NODE.nodeName, clusterCIDR: NODE.clusterCIDR, minSyncPeriodMs: 0, syncPeriodMs: 3_600_000, canaryPeriodMs: 3_600_000 },
  });
  try {
    const n = 1000;
    const { services, endpoints } = objects(n);
    log(`creating ${n} services and endpoints through the API`);
    const svcs = client.resource('services', 'default');
    const eps = client.resource('endpoints', 'default');
    for (let i = 0; i < n; i += 50) {
      await Promise.all(services.slice(i, i + 50).map((s) => svcs.create(s)));
      await Promise.all(endpoints.slice(i, i + 50).map((e) => eps.create(e)));
    }
    const first = new Promise<void>((resolve) => (onReport = () => reports.some((r) => r.mode === 'full') && resolve()));
    proxier.start();
    await first;
    log(`first full sync done (${reports[0]?.applyMs.toFixed(0)} ms restore); ${changes} endpoint changes, one at a time`);
    const latencies: number[] = [];
    const partial: number[] = [];
    for (let k = 0; k < changes; k++) {
      const name = `svc-${(k * 37) % n}`;
      const cur = await eps.get(name);
      const done = new Promise<SyncReport>((resolve) => {
        const seen = reports.length;
        onReport = () => reports.length > seen && resolve(reports.at(-1)!);
      });
      const t0 = performance.now();
      await eps.update({ ...cur, subsets: [{ addresses: [{ ip: `10.244.9.${k + 1}` }], ports: [{ port: 8080, protocol: 'TCP' }] }] });
      const r = await done;
      latencies.push(performance.now() - t0);
      partial.push(r.renderMs + r.applyMs);
    }
    return { p50: pct(latencies, 50), p99: pct(latencies, 99), partialMs: pct(partial, 50) };
  } finally {
    await proxier.stop();
    client.close();
    await server.close();
    await ns.remove();
  }
}

export async function run(argv: string[]): Promise<void> {
  const f = parseFlags(argv);
  const log = (msg: string): void => void process.stderr.write(`[bench proxy] ${msg}\n`);
  if (process.getuid?.() !== 0) throw new Error('the proxy bench needs root (network namespaces, iptables)');
  let backend = f.backend;
  if (backend === undefined) {
    const ns = await netns();
    try {
      const d = await probeBackend({ prefix: ns.prefix });
      backend = d.backend;
      log(`back end ${backend}: ${d.reason}`);
    } finally {
      await ns.remove();
    }
  }
  const syncs: SyncResult[] = [];
  for (const n of f.sizes) {
    log(`full sync of ${n} services × 5 endpoints on ${backend}`);
    syncs.push(await fullSync(n, backend, f.chunk));
  }
  const change = await changeToRule(backend, f.changes, log);
  const rows: string[][] = [['measure', `shoal (${backend})`, 'reference', 'target']];
  for (const s of syncs) {
    rows.push([`full sync ${s.services} svc × 5 ep (ms)`, (s.renderMs + s.restoreMs).toFixed(0), s.services >= 10000 ? '4000-5000 (kube-proxy restore, large clusters)' : '', s.services >= 10000 ? '< 2000' : '']);
    rows.push([`  render only (ms)`, s.renderMs.toFixed(0), '', '']);
    rows.push([`  restore only (ms, ${s.restores} restore${s.restores === 1 ? '' : 's'}, ${(s.bytes / 1e6).toFixed(1)} MB)`, s.restoreMs.toFixed(0), '', '']);
  }
  rows.push(['endpoint change → rule in place p50 (ms)', change.p50.toFixed(0), '~5000 (kube-proxy p50 at 5000 nodes)', '< 100']);
  rows.push(['endpoint change → rule in place p99 (ms)', change.p99.toFixed(0), '', '']);
  rows.push(['  partial sync render+restore p50 (ms)', change.partialMs.toFixed(0), '', '']);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) process.stdout.write(`${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]! + 2) : cell.padStart(widths[c]! + 2))).join('')}\n`);
  const bySize = (n: number): SyncResult | undefined => syncs.find((s) => s.services === n);
  const ms = (s: SyncResult | undefined): number | null => (s === undefined ? null : round(s.renderMs + s.restoreMs));
  const json = {
    backend,
    sync_1000_ms: ms(bySize(1000)),
    sync_10000_ms: ms(bySize(10000)),
    change_to_rule_ms: round(change.p50),
    change_to_rule_p99_ms: round(change.p99),
    render_10000_ms: round(bySize(10000)?.renderMs),
    restore_10000_ms: round(bySize(10000)?.restoreMs),
    render_1000_ms: round(bySize(1000)?.renderMs),
    restore_1000_ms: round(bySize(1000)?.restoreMs),
  };
  process.stdout.write(`${JSON.stringify(json)}\n`);
}
