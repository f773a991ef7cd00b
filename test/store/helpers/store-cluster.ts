// Runs shoal-control-plane member processes on 127.0.0.1 for tests, and Debian's etcdctl
// against them. Ports are found by binding port 0; every process is killed and every data
// directory removed in t.teardown. Every wait is bounded.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../../chaos/free-port.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const LAUNCHER = join(ROOT, 'bin', 'shoal-control-plane.js');
export const ETCDCTL = '/usr/bin/etcdctl';

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface MemberSpec {
  name: string;
  clientPort: number;
  peerPort: number;
  metricsPort: number;
  dataDir: string;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command with a hard time limit (the process is killed when it runs over). `env` adds to
 * this process's environment; `fullEnv` replaces it (nothing inherited).
 */
export function run(cmd: string, args: readonly string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; fullEnv?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: opts.fullEnv ?? { ...process.env, ...opts.env }, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    p.stdin.on('error', () => {}); // the command may exit before reading its input (EPIPE)
    p.stdin.end(opts.input ?? '');
  });
}

/** A cluster served over https (client and peer URLs): each member's TLS flags and etcdctl's. */
export interface ClusterTls {
  memberArgs: (m: MemberSpec) => string[];
  /** --cacert/--cert/--key for etcdctl (the identity waitReady and ctl use). */
  ctlArgs: string[];
}

export class StoreCluster {
  readonly members: MemberSpec[];
  private readonly procs = new Map<string, ChildProcess>();
  private readonly logs = new Map<string, WriteStream>();
  readonly root: string;
  private readonly extraArgs: string[];
  private readonly memberArgs: (m: MemberSpec) => string[];
  readonly token: string;
  readonly tls: ClusterTls | undefined;

  private constructor(root: string, members: MemberSpec[], extraArgs: string[], token: string, tls: ClusterTls | undefined, memberArgs: (m: MemberSpec) => string[]) {
    this.root = root;
    this.members = members;
    this.extraArgs = extraArgs;
    this.token = token;
    this.tls = tls;
    this.memberArgs = memberArgs;
  }

  get scheme(): 'http' | 'https' {
    return this.tls === undefined ? 'http' : 'https';
  }

  /**
   * Starts `size` members (default 3) and waits until they agree on a leader and serve.
   * memberArgs: flags for one member only (e.g. the API server's ports next to it).
   */
  static async start(
    t: Teardown,
    opts: { size?: number; extraArgs?: string[]; tls?: ClusterTls; memberArgs?: (m: MemberSpec) => string[]; readyTimeoutMs?: number } = {},
  ): Promise<StoreCluster> {
    const root = mkdtempSync(join(tmpdir(), 'shoal-store-test-'));
    const members: MemberSpec[] = [];
    for (let i = 0; i < (opts.size ?? 3); i++) {
      members.push({ name: `m${i + 1}`, clientPort: await freePort(), peerPort: await freePort(), metricsPort: await freePort(), dataDir: join(root, `m${i + 1}`) });
    }
    const c = new StoreCluster(root, members, opts.extraArgs ?? [], `test-${process.pid}-${Date.now()}`, opts.tls, opts.memberArgs ?? (() => []));
    // Even if the test process dies without running teardowns, no member outlives it.
    const onExit = (): void => {
      for (const p of c.procs.values()) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    };
    process.once('exit', onExit);
    t.teardown(async () => {
      process.removeListener('exit', onExit);
      await c.killAll();
      if (process.env.SHOAL_KEEP_LOGS === undefined) rmSync(root, { recursive: true, force: true });
      else process.stderr.write(`store test logs kept in ${root}\n`);
    });
    for (const m of members) c.spawnMember(m, 'new', members);
    await c.waitReady(opts.readyTimeoutMs);
    return c;
  }

  initialCluster(members: readonly MemberSpec[]): string {
    return members.map((m) => `${m.name}=${this.scheme}://127.0.0.1:${m.peerPort}`).join(',');
  }

  args(m: MemberSpec, state: 'new' | 'existing', cluster: readonly MemberSpec[]): string[] {
    return [
      '--name', m.name,
      '--data-dir', m.dataDir,
      '--listen-client-urls', `${this.scheme}://127.0.0.1:${m.clientPort}`,
      '--advertise-client-urls', `${this.scheme}://127.0.0.1:${m.clientPort}`,
      '--listen-peer-urls', `${this.scheme}://127.0.0.1:${m.peerPort}`,
      '--initial-advertise-peer-urls', `${this.scheme}://127.0.0.1:${m.peerPort}`,
      '--initial-cluster', this.initialCluster(cluster),
      '--initial-cluster-state', state,
      '--initial-cluster-token', this.token,
      '--listen-metrics-urls', `http://127.0.0.1:${m.metricsPort}`,
      ...(this.tls?.memberArgs(m) ?? []),
      ...this.extraArgs,
      ...this.memberArgs(m),
    ];
  }

  spawnMember(m: MemberSpec, state: 'new' | 'existing', cluster: readonly MemberSpec[]): ChildProcess {
    let log = this.logs.get(m.name);
    if (log === undefined) {
      log = createWriteStream(join(this.root, `${m.name}.log`), { flags: 'a' });
      this.logs.set(m.name, log);
    }
    const nodeArgs = (process.env.SHOAL_TEST_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
    const p = spawn(process.execPath, [...nodeArgs, LAUNCHER, ...this.args(m, state, cluster)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout!.pipe(log, { end: false });
    p.stderr!.pipe(log, { end: false });
    this.procs.set(m.name, p);
    return p;
  }

  member(name: string): MemberSpec {
    const m = this.members.find((x) => x.name === name);
    if (m === undefined) throw new Error(`no member ${name}`);
    return m;
  }

  endpoint(name: string): string {
    return this.endpointOf(this.member(name));
  }

  private endpointOf(m: MemberSpec): string {
    return `${this.tls === undefined ? '' : 'https://'}127.0.0.1:${m.clientPort}`;
  }

  /** Endpoints of the members that are running. */
  endpoints(): string {
    return this.members
      .filter((m) => this.isRunning(m.name))
      .map((m) => this.endpointOf(m))
      .join(',');
  }

  isRunning(name: string): boolean {
    const p = this.procs.get(name);
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  }

  etcdctl(args: readonly string[], opts: { input?: string; endpoints?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    return run(ETCDCTL, ['--endpoints', opts.endpoints ?? this.endpoints(), '--dial-timeout=3s', '--command-timeout=15s', ...(this.tls?.ctlArgs ?? []), ...args], {
      input: opts.input,
      timeoutMs: opts.timeoutMs ?? 30_000,
      env: { ETCDCTL_API: '3' },
    });
  }

  /** etcdctl that must succeed; returns stdout. */
  async ctl(args: readonly string[], opts: { input?: string; endpoints?: string; timeoutMs?: number } = {}): Promise<string> {
    const r = await this.etcdctl(args, opts);
    if (r.code !== 0) throw new Error(`etcdctl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Waits (bounded) until every running member reports the same leader and answers reads. */
  async waitReady(timeoutMs = 40_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const r = await this.etcdctl(['endpoint', 'status', '-w', 'json'], { timeoutMs: 10_000 });
      if (r.code === 0) {
        try {
          const st = JSON.parse(r.stdout) as { Status: { leader: number; header: { member_id: number } } }[];
          const running = this.members.filter((m) => this.isRunning(m.name)).length;
          const leaders = new Set(st.map((s) => s.Status.leader));
          if (st.length === running && leaders.size === 1 && !leaders.has(0)) return [...leaders][0]!;
        } catch {
          // not JSON yet
        }
      }
      last = r.stderr + r.stdout;
      await sleep(200);
    }
    throw new Error(`store cluster not ready within ${timeoutMs} ms: ${last}`);
  }

  /** The name of the member that leads, according to endpoint status. */
  async leaderName(): Promise<string> {
    const leader = await this.waitReady();
    const st = JSON.parse(await this.ctl(['endpoint', 'status', '-w', 'json'])) as { Endpoint: string; Status: { header: { member_id: number } } }[];
    const e = st.find((s) => s.Status.header.member_id === leader);
    const m = this.members.find((x) => this.endpointOf(x) === e?.Endpoint);
    if (m === undefined) throw new Error('leader not found');
    return m.name;
  }

  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.procs.get(name);
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill(signal);
    const timer = setTimeout(() => p.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  restart(name: string): void {
    if (this.isRunning(name)) throw new Error(`${name} is running`);
    this.spawnMember(this.member(name), 'new', this.members);
  }

  /** Adds a member spec (not started) for `member add`. */
  async newMemberSpec(name: string): Promise<MemberSpec> {
    const m: MemberSpec = { name, clientPort: await freePort(), peerPort: await freePort(), metricsPort: await freePort(), dataDir: join(this.root, name) };
    this.members.push(m);
    return m;
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((n) => this.kill(n)));
    for (const l of this.logs.values()) l.end();
  }
}
