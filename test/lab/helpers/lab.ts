// The lab from a test: scripts/lab.sh up/down with a lab name of the test file's own (torn down
// even when the test fails), and Shoal processes started inside its hosts with
// `nsenter --net=/var/run/netns/<host>`: a dev-mode control plane (store + API server + control
// loops) on cp1, one agent per worker on that worker's dockerd with the pod network, and
// shoalctl / docker / wget run in a host. Nothing here touches the root network namespace.
import { execFile, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const LAB_SH = join(REPO, 'scripts/lab.sh');
export const TEST_IMAGE = 'shoal-test/busybox:1';
export const API_PORT = 6443;

export const labAddress = {
  cp: (i: number): string => `10.77.0.${10 + i}`,
  worker: (i: number): string => `10.77.0.${20 + i}`,
  client: '10.77.0.100',
} as const;

/** A Deployment of busybox httpd pods; each answers with its own host name (the pod's name). */
export const webDeployment = (name: string, replicas: number): string =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'web',
              image: TEST_IMAGE,
              imagePullPolicy: 'Never',
              // Each answers with its own host name (the pod's name): requests show which pod served them.
              command: ['sh', '-c', 'mkdir -p /www && cat /etc/hostname > /www/index.html && exec httpd -f -p 8080 -h /www'],
              ports: [{ containerPort: 8080 }],
              resources: { requests: { cpu: '100m', memory: '16Mi' } },
            },
          ],
        },
      },
    },
  });

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command; never throws for a non-zero exit (the result says). */
export function run(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return new Promise((done) => {
    const child = execFile(cmd, [...args], { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 32 << 20, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const raw = (err as { code?: unknown } | null)?.code;
      const code = err === null ? 0 : typeof raw === 'number' ? raw : raw === 'ENOENT' ? 127 : 124;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Why the lab cannot run here (undefined = it can). In CI a reason is a failure, elsewhere a loud skip. */
export async function labUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, dockerd)';
  for (const c of ['/usr/sbin/dockerd', '/usr/bin/docker', '/usr/bin/nsenter', '/bin/busybox']) if (!existsSync(c)) return `${c} is missing`;
  const ip = await run('ip', ['-V']);
  if (ip.code !== 0) return 'iproute2 (ip) is missing';
  return undefined;
}

/**
 * Skips (loudly) or fails when the lab cannot run: returns false when the caller must stop.
 * In CI (CI=true) the lab must run: a missing prerequisite is a failure, not a skip.
 */
export async function requireLab(t: Test): Promise<boolean> {
  const why = await labUnavailable();
  if (why === undefined) return true;
  if (process.env.CI === 'true') t.fail(`lab unavailable in CI: ${why}`);
  else {
    process.stderr.write(`\n*** SKIPPING lab test: ${why} ***\n`);
    t.plan(0, `lab unavailable: ${why}`);
  }
  return false;
}

export interface LabOptions {
  /** Unique per test file (scripts/lab.sh allows 12 characters). */
  readonly name: string;
  readonly workers?: number;
  /** Control-plane hosts cp1..N (default 1). */
  readonly controlPlanes?: number;
}

export class Lab {
  readonly name: string;
  readonly dir: string;
  readonly workers: number;
  readonly controlPlanes: number;
  readonly procs: { proc: ChildProcess; what: string }[] = [];

  private constructor(o: LabOptions) {
    this.name = o.name;
    this.workers = o.workers ?? 2;
    this.controlPlanes = o.controlPlanes ?? 1;
    this.dir = `/var/lib/shoal-lab/${o.name}`;
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, LAB_NAME: this.name, LAB_WORKERS: String(this.workers), LAB_CONTROL_PLANES: String(this.controlPlanes), LAB_DIR: this.dir };
  }

  /** Brings a fresh lab up (a leftover of the same name is removed first); down at teardown, whatever happens. */
  static async up(t: Test, o: LabOptions): Promise<Lab> {
    const lab = new Lab(o);
    await lab.down();
    // tap's timeout ends the file with SIGTERM, and teardowns do not run then: the lab goes anyway.
    const onSignal = (): void => {
      for (const p of lab.procs) p.proc.kill('SIGKILL');
      spawnSync('bash', [LAB_SH, 'down'], { env: lab.env, timeout: 120_000, stdio: 'ignore' });
      process.exit(1);
    };
    process.once('SIGTERM', onSignal);
    t.teardown(async () => {
      process.off('SIGTERM', onSignal);
      // SHOAL_KEEP_LAB=1 leaves it up to look at (scripts/lab.sh down with LAB_NAME removes it).
      if (process.env.SHOAL_KEEP_LAB === '1') process.stderr.write(`lab ${lab.name} kept (LAB_NAME=${lab.name} LAB_WORKERS=${lab.workers} LAB_CONTROL_PLANES=${lab.controlPlanes} scripts/lab.sh down)\n`);
      else await lab.down();
    });
    const r = await run('bash', [LAB_SH, 'up'], { env: lab.env, timeoutMs: 180_000 });
    if (r.code !== 0) throw new Error(`lab.sh up failed (${r.code}): ${r.stderr}${r.stdout}`);
    return lab;
  }

  async down(): Promise<void> {
    for (const p of this.procs.splice(0)) await stopProcess(p.proc);
    const r = await run('bash', [LAB_SH, 'down'], { env: this.env, timeoutMs: 120_000 });
    if (r.code !== 0) process.stderr.write(`lab.sh down (${this.name}) failed: ${r.stderr}\n`);
  }

  ns(host: string): string {
    return `${this.name}-${host}`;
  }

  sock(worker: string): string {
    return join(this.dir, worker, 'docker.sock');
  }

  /** Runs cmd inside a lab host's network namespace. */
  exec(host: string, cmd: string, args: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
    return run('nsenter', [`--net=/var/run/netns/${this.ns(host)}`, cmd, ...args], opts);
  }

  /** docker against a worker's own engine. */
  docker(worker: string, args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
    return run('/usr/bin/docker', ['-H', `unix://${this.sock(worker)}`, ...args], { timeoutMs });
  }

  /** shoalctl from the client host against cp1's API server. */
  async shoalctl(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    return this.exec('client', process.execPath, [join(REPO, 'bin/shoalctl.js'), '--server', `${labAddress.cp(1)}:${API_PORT}`, ...args], { timeoutMs: opts.timeoutMs ?? 60_000, ...(opts.input === undefined ? {} : { input: opts.input }) });
  }

  async shoalctlJson<T>(args: readonly string[]): Promise<T> {
    const r = await this.shoalctl([...args, '-o', 'json']);
    if (r.code !== 0) throw new Error(`shoalctl ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** Starts a long-running process in a host (stopped at teardown); output goes to <dir>/<host>/<log>. */
  async spawnIn(host: string, what: string, cmd: string, args: readonly string[]): Promise<ChildProcess> {
    const logDir = join(this.dir, host);
    await mkdir(logDir, { recursive: true });
    const fd = openSync(join(logDir, `${what}.log`), 'a');
    const proc = spawn('nsenter', [`--net=/var/run/netns/${this.ns(host)}`, cmd, ...args], { cwd: REPO, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.procs.push({ proc, what: `${host}/${what}` });
    return proc;
  }

  logPath(host: string, what: string): string {
    return join(this.dir, host, `${what}.log`);
  }

  /** A single dev-mode control-plane member on cp1 (store, API server, scheduler, controllers); extraArgs go last. */
  async startControlPlane(extraArgs: readonly string[] = []): Promise<void> {
    const ip = labAddress.cp(1);
    await this.spawnIn('cp1', 'control-plane', process.execPath, [
      join(REPO, 'bin/shoal-control-plane.js'),
      '--name', 'cp1',
      '--data-dir', join(this.dir, 'cp1', 'data'),
      '--listen-client-urls', `http://${ip}:2379`,
      '--advertise-client-urls', `http://${ip}:2379`,
      '--listen-peer-urls', `http://${ip}:2380`,
      '--initial-advertise-peer-urls', `http://${ip}:2380`,
      '--initial-cluster', `cp1=http://${ip}:2380`,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', `lab-${this.name}`,
      '--api-listen-address', `${ip}:${API_PORT}`,
      '--control-loops=true',
      ...extraArgs,
    ]);
  }

  /** The agent of worker wN on its own dockerd, with the host-gw pod network. */
  async startAgent(i: number): Promise<ChildProcess> {
    const w = `w${i}`;
    return this.spawnIn(w, 'agent', process.execPath, [
      join(REPO, 'bin/shoal-agent.js'),
      'run',
      '--server', `${labAddress.cp(1)}:${API_PORT}`,
      '--node-name', w,
      '--data-dir', join(this.dir, w, 'agent'),
      '--http-address', '127.0.0.1:10250',
      '--docker-socket', this.sock(w),
      '--node-ip', labAddress.worker(i),
      '--pod-network', 'host-gw',
      '--cluster-cidr', '10.244.0.0/16',
      '--proxy-mode', 'iptables',
      '--log-level', 'info',
    ]);
  }

  /** `scripts/lab.sh ARGS` for this lab; throws with its output when it fails. */
  async labSh(args: readonly string[], timeoutMs = 120_000): Promise<string> {
    const r = await run('bash', [LAB_SH, ...args], { env: this.env, timeoutMs });
    if (r.code !== 0) throw new Error(`lab.sh ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** A worker's dockerd on or off (`scripts/lab.sh dockerd`). */
  async dockerd(worker: string, action: 'start' | 'stop'): Promise<void> {
    await this.labSh(['dockerd', worker, action]);
  }

  /** Stops a process started with spawnIn (SIGTERM, then SIGKILL after 10 s). */
  async stop(proc: ChildProcess): Promise<void> {
    await stopProcess(proc);
    const i = this.procs.findIndex((p) => p.proc === proc);
    if (i >= 0) this.procs.splice(i, 1);
  }
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Waits (bounded) until cond holds; fails with `what` and the last state explain() gives. */
export async function waitFor(t: Test, what: string, cond: () => Promise<boolean>, timeoutMs = 90_000, explain?: () => Promise<string>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond().catch(() => false)) return true;
    if (Date.now() > deadline) {
      const why = explain === undefined ? '' : await explain().catch((e: unknown) => `(could not explain: ${(e as Error).message})`);
      if (why !== '') t.comment(`timed out waiting for ${what}; state then:\n${why}`);
      t.fail(`timed out waiting for ${what}`);
      return false;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
