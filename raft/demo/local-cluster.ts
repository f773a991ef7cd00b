// Runs the demo key-value store as separate OS processes on 127.0.0.1, for the process tests
// and the benchmark: free ports are found by binding port 0, every member logs to
// <baseDir>/member-<id>.log, and every child is killed when this process exits.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeId } from '../core/types.js';
import type { NodeStatus } from '../node/raft-node.js';
import { KvClient } from './kv-client.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SERVER = join(REPO_ROOT, 'raft', 'demo', 'kv-server.ts');

export interface LocalClusterOptions {
  /** Where data dirs and logs go (one subdirectory per member). */
  baseDir: string;
  size?: number;
  tickMs?: number;
  electionTick?: number;
  snapshotEvery?: number;
  fsync?: boolean;
  requestTimeoutMs?: number;
  leaderSendsBeforePersist?: boolean;
  /** Extra node flags for every member, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  nodeArgs?: string[];
}

export interface LocalMember {
  id: NodeId;
  peerAddress: string;
  httpPort: number;
  url: string;
  dataDir: string;
  logFile: string;
  proc: ChildProcess | undefined;
}

/** Distinct free TCP ports on 127.0.0.1 (bound together, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((res, rej) => {
          const s = createServer();
          s.once('error', rej);
          s.listen(0, '127.0.0.1', () => res(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LocalCluster {
  readonly members = new Map<NodeId, LocalMember>();
  readonly client = new KvClient({ maxSockets: 16 });
  private readonly onExit = (): void => {
    for (const m of this.members.values()) m.proc?.kill('SIGKILL');
  };

  private constructor(private readonly opts: LocalClusterOptions) {
    process.once('exit', this.onExit);
  }

  static async create(opts: LocalClusterOptions): Promise<LocalCluster> {
    mkdirSync(opts.baseDir, { recursive: true });
    const c = new LocalCluster(opts);
    const size = opts.size ?? 3;
    const ports = await freePorts(size * 2);
    for (let i = 0; i < size; i++) {
      const id = i + 1;
      const httpPort = ports[size + i]!;
      c.members.set(id, {
        id,
        peerAddress: `127.0.0.1:${ports[i]!}`,
        httpPort,
        url: `http://127.0.0.1:${httpPort}`,
        dataDir: join(opts.baseDir, `member-${id}`),
        logFile: join(opts.baseDir, `member-${id}.log`),
        proc: undefined,
      });
    }
    return c;
  }

  member(id: NodeId): LocalMember {
    const m = this.members.get(id);
    if (!m) throw new Error(`no member ${id}`);
    return m;
  }

  ids(): NodeId[] {
    return [...this.members.keys()];
  }

  /** Starts (or restarts, with the same data dir) member `id`. */
  start(id: NodeId): void {
    const m = this.member(id);
    if (m.proc && m.proc.exitCode === null && m.proc.signalCode === null) throw new Error(`member ${id} is already running`);
    const o = this.opts;
    const peers = [...this.members.values()].map((p) => `${p.id}=${p.peerAddress}`).join(',');
    const args = [...(o.nodeArgs ?? []), '--import', 'tsx', SERVER, '--id', String(id), '--peers', peers, '--data-dir', m.dataDir, '--http-port', String(m.httpPort)];
    if (o.tickMs !== undefined) args.push('--tick-ms', String(o.tickMs));
    if (o.electionTick !== undefined) args.push('--election-tick', String(o.electionTick));
    if (o.snapshotEvery !== undefined) args.push('--snapshot-every', String(o.snapshotEvery));
    if (o.requestTimeoutMs !== undefined) args.push('--request-timeout-ms', String(o.requestTimeoutMs));
    if (o.fsync === false) args.push('--no-fsync');
    if (o.leaderSendsBeforePersist) args.push('--leader-sends-before-persist');
    const log = openSync(m.logFile, 'a');
    try {
      m.proc = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
  }

  startAll(): void {
    for (const id of this.members.keys()) this.start(id);
  }

  /** Sends `signal` (default SIGKILL) and waits (bounded) for the process to exit. */
  async kill(id: NodeId, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000): Promise<void> {
    const p = this.member(id).proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(signal);
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    if ((await Promise.race([exited, timer])) === 'timeout') {
      p.kill('SIGKILL');
      await exited;
    }
  }

  isRunning(id: NodeId): boolean {
    const p = this.member(id).proc;
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  }

  status(id: NodeId, timeoutMs = 1000): Promise<NodeStatus | undefined> {
    return this.client.status(this.member(id).url, timeoutMs);
  }

  /**
   * Polls the running members until one of them leads and every other running member (not in
   * `exclude`) names it; returns its id. Throws after timeoutMs.
   */
  async waitForLeader(opts: { exclude?: NodeId[]; timeoutMs?: number } = {}): Promise<NodeId> {
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const deadline = Date.now() + timeoutMs;
    const ids = this.ids().filter((id) => !opts.exclude?.includes(id) && this.isRunning(id));
    for (let i = 0; i < timeoutMs / 50 + 1 && Date.now() < deadline; i++) {
      const st = await Promise.all(ids.map((id) => this.status(id, 500)));
      const leader = st.find((s) => s?.role === 'leader');
      if (leader && st.every((s) => s !== undefined && s.leader === leader.id)) return leader.id;
      await sleep(50);
    }
    throw new Error(`no leader among members ${ids.join(',')} within ${timeoutMs} ms`);
  }

  logTail(id: NodeId, lines = 30): string {
    const f = this.member(id).logFile;
    if (!existsSync(f)) return '(no log)';
    return readFileSync(f, 'utf8').split('\n').slice(-lines).join('\n');
  }

  /** Kills every member (SIGKILL) and waits for them to exit. */
  async close(): Promise<void> {
    await Promise.all(this.ids().map((id) => this.kill(id, 'SIGKILL')));
    this.client.close();
    process.removeListener('exit', this.onExit);
  }
}
