// `npm run bench -- agent [--json] [--pods 50] [--timeout-s 300] [--settle-s 5] [--keep]`
//
// The real shoal-agent process (bin/shoal-agent.js run) on this machine's Docker engine, against
// an in-process API server over the in-memory storage on loopback (dev mode, no TLS). After the
// Node registers and the agent settles, its RSS is sampled (idle); then --pods pods (the test
// image, `sleep 3600`) are created at once, bound to the node, and create-to-Running latency is
// taken from issuing each create to the watch showing phase Running; once all run and the agent
// settles, RSS is sampled again. RSS = VmRSS of /proc/<pid>/status (median of 5 samples, 1 s
// apart). The agent runs through the tsx loader (as bin/shoal-agent.js does today), which is in
// its RSS. References measured in the same run: `docker run -d` of as many containers at once
// through the Docker CLI (what the engine alone costs on this machine) and the RSS of an idle
// `node --import tsx` process (what the loader alone costs); k3s's figures are quoted, not
// measured. Every container made is removed at the end. JSON: start_p50_ms, start_p99_ms,
// rss_idle_mb, rss_50_pods_mb (plus the references and the load average).
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pino from 'pino';
import type { Pod } from '../../api/index.js';
import { ShoalClient } from '../../client/index.js';
import { ApiServer, systemClock } from '../../control-plane/apiserver/index.js';
import { MemoryStorage } from '../../control-plane/apiserver/storage/index.js';
import { Label } from '../../node-agent/index.js';
import { DOCKER_CLI, dockerAvailable, ensureTestImage, removeContainersByLabel } from '../../test/agent/helpers/test-image.js';
import { agentTable, REFERENCE_COLUMN, REFERENCE_LINE, summarize, vmRssMb } from './agent-measure.js';
import { FlagReader, round, withProcesses } from './bench-run.js';
import { freePorts, REPO_ROOT } from './store-cluster.js';

interface Flags {
  json: boolean;
  pods: number;
  timeoutS: number;
  settleS: number;
  keep: boolean;
}

function parseFlags(argv: readonly string[]): Flags {
  const f: Flags = { json: false, pods: 50, timeoutS: 300, settleS: 5, keep: false };
  const r = new FlagReader(argv);
  for (const a of r) {
    if (a === '--json') f.json = true;
    else if (a === '--keep') f.keep = true;
    else if (a === '--pods') f.pods = r.number(1, 500);
    else if (a === '--timeout-s') f.timeoutS = r.number(10);
    else if (a === '--settle-s') f.settleS = r.number(0, 600);
    else throw new Error(`unknown flag ${a} (known: --json --pods --timeout-s --settle-s --keep)`);
  }
  return f;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function rssSamples(pid: number, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) await sleep(1000);
    out.push(vmRssMb(await readFile(`/proc/${pid}/status`, 'utf8')));
  }
  return out;
}

const execFileP = promisify(execFile);

/** The Docker reference: `docker run -d` of n containers at once, each timed; removed after. */
async function dockerRunReference(image: string, n: number, label: string): Promise<number[]> {
  const times = await Promise.all(
    Array.from({ length: n }, async () => {
      const t0 = performance.now();
      await execFileP(DOCKER_CLI, ['run', '-d', '--label', label, image, 'sleep', '3600'], { timeout: 300_000 });
      return performance.now() - t0;
    }),
  );
  await removeContainersByLabel(label);
  return times;
}

/** RSS of an idle `node --import tsx` process: what the loader alone costs. */
async function tsxBaselineRss(registry: { add(p: ReturnType<typeof spawn>): void }, settleMs: number): Promise<number[]> {
  const p = spawn(process.execPath, ['--import', 'tsx', '-e', 'setInterval(() => {}, 1000)'], { cwd: REPO_ROOT, stdio: 'ignore' });
  registry.add(p);
  try {
    await sleep(settleMs);
    return await rssSamples(p.pid ?? 0, 3);
  } finally {
    p.kill('SIGKILL');
  }
}

/** Polls cond every 200 ms until it holds; throws after timeoutMs. */
async function waitFor(what: string, cond: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(200);
  }
}

export async function run(argv: string[]): Promise<void> {
  const f = parseFlags(argv);
  const log = (msg: string): void => void process.stderr.write(`[bench agent] ${msg}\n`);
  if (!(await dockerAvailable())) throw new Error('no Docker engine answers (apt-get install docker.io; dockerd --storage-driver=vfs &)');
  const image = await ensureTestImage();
  const storage = new MemoryStorage();
  const server = new ApiServer({ storage, clock: systemClock, log: pino({ level: 'silent' }), options: { processMetrics: false } });
  const { grpcPort } = await server.listen({ grpc: '127.0.0.1:0' });
  await server.ready;
  const address = `127.0.0.1:${grpcPort}`;
  const client = new ShoalClient({ servers: [address] });
  const nodeName = `bench-agent-${process.pid}`;
  try {
    const result = await withProcesses('shoal-bench-agent-', f.keep, log, async (dir, registry) => {
      const [httpPort] = await freePorts(1);
      const agent = spawn(process.execPath, [join(REPO_ROOT, 'bin/shoal-agent.js'), 'run', '--server', address, '--node-name', nodeName, '--data-dir', join(dir, 'agent'), '--http-address', `127.0.0.1:${httpPort}`, '--log-level', 'warn', '--proxy-mode', 'none', '--pod-network', 'none'], { stdio: ['ignore', 'ignore', 'inherit'] });
      registry.add(agent);
      const pid = agent.pid ?? 0;
      const nodes = client.resource('nodes', '');
      await waitFor('the Node to register', async () => (await nodes.get(nodeName).catch(() => undefined)) !== undefined, 60_000);
      log(`agent pid ${pid} registered node ${nodeName}; settling ${f.settleS} s`);
      await sleep(f.settleS * 1000);
      const idle = await rssSamples(pid, 5);

      const pods = client.resource<Pod>('pods', 'default');
      const list = await pods.list({ fieldSelector: `spec.nodeName=${nodeName}` });
      const watch = pods.watch({ fieldSelector: `spec.nodeName=${nodeName}`, resourceVersion: list.resourceVersion });
      const createdAt = new Map<string, number>();
      const latencies = new Map<string, number>();
      const watching = (async () => {
        for await (const ev of watch) {
          if (ev.type === 'BOOKMARK' || ev.type === 'DELETED') continue;
          const name = ev.object.metadata.name ?? '';
          const t0 = createdAt.get(name);
          if (t0 !== undefined && !latencies.has(name) && ev.object.status?.phase === 'Running') latencies.set(name, performance.now() - t0);
          if (latencies.size === f.pods) return;
        }
      })();
      log(`creating ${f.pods} pods at once`);
      await Promise.all(
        Array.from({ length: f.pods }, async (_, i) => {
          const name = `bench-${i}`;
          createdAt.set(name, performance.now());
          await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image, command: ['sleep', '3600'] }] } } as unknown as Pod);
        }),
      );
      try {
        await waitFor(`${f.pods} pods Running`, () => latencies.size === f.pods, f.timeoutS * 1000);
      } finally {
        watch.close();
        await watching.catch(() => undefined);
      }
      log(`all Running; settling ${f.settleS} s`);
      await sleep(f.settleS * 1000);
      const loaded = await rssSamples(pid, 5);
      agent.kill('SIGTERM');
      log(`reference: docker run -d x${f.pods} at once; an idle tsx process`);
      const dockerRunMs = await dockerRunReference(image, f.pods, `${Label.Node}=${nodeName}-docker-ref`);
      const rssTsxBaseline = await tsxBaselineRss(registry, 3000);
      return summarize(f.pods, [...latencies.values()], idle, loaded, { dockerRunMs, rssTsxBaseline, loadAvg1m: loadavg()[0] ?? NaN });
    });
    for (const line of agentTable(result)) process.stdout.write(`${line}\n`);
    process.stdout.write(`${REFERENCE_COLUMN}\n${REFERENCE_LINE}\n`);
    const json = { start_p50_ms: round(result.start_p50_ms), start_p99_ms: round(result.start_p99_ms), rss_idle_mb: round(result.rss_idle_mb, 1), rss_50_pods_mb: round(result.rss_50_pods_mb, 1), pods: result.pods, docker_run_p50_ms: round(result.docker_run_p50_ms), docker_run_p99_ms: round(result.docker_run_p99_ms), rss_tsx_baseline_mb: round(result.rss_tsx_baseline_mb, 1), load_avg_1m: round(result.load_avg_1m, 1) };
    process.stdout.write(`${JSON.stringify(json)}\n`);
  } finally {
    log('removing the containers');
    await removeContainersByLabel(`${Label.Node}=${nodeName}`);
    await removeContainersByLabel(`${Label.Node}=${nodeName}-docker-ref`);
    client.close();
    await server.close();
    await storage.close();
  }
}
