// Three store members as local processes on 127.0.0.1, started with etcd's flag names, so one
// class runs both a real etcd (Debian's etcd-server) and Shoal's `shoal-control-plane`.
// Rules: every member listens on 127.0.0.1 only; every wait is bounded in count and time; every
// process this module spawns is in `ProcessRegistry` until it has exited, so nothing outlives
// the benchmark (also on Ctrl-C and on errors).
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { clientOptions } from './store-client.js';
import { freePorts } from '../../raft/demo/local-cluster.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every child process started by the benchmark; `killAll` is safe to call from an exit handler. */
export class ProcessRegistry {
  private readonly procs = new Set<ChildProcess>();
  add(p: ChildProcess): void {
    this.procs.add(p);
    p.once('exit', () => this.procs.delete(p));
  }
  killAll(): void {
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  }
}

/** Ports the kernel handed out for port 0, released again so the members can bind them. */
export { freePorts };

/** How to start one kind of member: the command line before the etcd-style flags. */
export interface MemberCommand {
  /** Shown in logs and the table. */
  readonly system: 'shoal' | 'etcd';
  /** Working directory of the members (a Shoal checkout resolves tsx from there). */
  readonly cwd: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Extra flags after the common ones (e.g. log level). */
  readonly extraFlags: readonly string[];
  /** Flags for one member only (e.g. its own API server port). */
  readonly memberFlags?: (id: number) => readonly string[];
  /** SIGTERM (graceful: lets `--cpu-prof` write its profile) or SIGKILL on close. */
  readonly stopSignal: NodeJS.Signals;
}

export function etcdCommand(): MemberCommand | undefined {
  if (spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
  return { system: 'etcd', cwd: REPO_ROOT, command: 'etcd', args: [], extraFlags: [], stopSignal: 'SIGKILL' };
}

/**
 * `shoal-control-plane` as package.json `bin` of the checkout at `root` names it, run by this
 * Node.js directly (no npx or shell wrapper in between, so kill -9 hits the member itself).
 * `nodeArgs` go to that Node.js, e.g. `--cpu-prof`.
 */
export function shoalCommand(nodeArgs: readonly string[], root = REPO_ROOT): MemberCommand | undefined {
  const pkgFile = join(root, 'package.json');
  if (!existsSync(pkgFile)) return undefined;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.['shoal-control-plane'];
  if (bin === undefined) return undefined;
  const path = isAbsolute(bin) ? bin : join(root, bin);
  if (!existsSync(path)) return undefined;
  const stopSignal = nodeArgs.length > 0 ? 'SIGTERM' : 'SIGKILL';
  if (path.endsWith('.ts')) return { system: 'shoal', cwd: root, command: process.execPath, args: ['--import', 'tsx', ...nodeArgs, path], extraFlags: [], stopSignal };
  if (/\.[cm]?js$/.test(path)) return { system: 'shoal', cwd: root, command: process.execPath, args: [...nodeArgs, path], extraFlags: [], stopSignal };
  return { system: 'shoal', cwd: root, command: path, args: [], extraFlags: [], stopSignal };
}

export interface ClusterSettings {
  heartbeatMs: number;
  electionMs: number;
  /** Applied entries between Raft snapshots (etcd's --snapshot-count). */
  snapshotCount: number;
}

export interface MemberStatus {
  memberId: string;
  leader: string;
  raftIndex: bigint;
}

/** A fresh 3-member cluster in `dir` (which must be new and empty). */
export class LocalStoreCluster {
  readonly size = 3;
  private clientPorts: number[] = [];
  private peerPorts: number[] = [];
  private readonly procs = new Map<number, ChildProcess>();
  private readonly statusClients = new Map<number, Etcd3>();

  constructor(
    private readonly cmd: MemberCommand,
    private readonly dir: string,
    private readonly settings: ClusterSettings,
    private readonly registry: ProcessRegistry,
  ) {}

  get system(): string {
    return this.cmd.system;
  }
  ids(): number[] {
    return Array.from({ length: this.size }, (_, i) => i + 1);
  }
  clientUrl(id: number): string {
    return `http://127.0.0.1:${this.clientPorts[id - 1]!}`;
  }
  logFile(id: number): string {
    return join(this.dir, `member-${id}.log`);
  }

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const ports = await freePorts(this.size * 2);
    this.clientPorts = ports.slice(0, this.size);
    this.peerPorts = ports.slice(this.size);
    for (const id of this.ids()) this.startMember(id);
  }

  /** Starts member `id` (again); its data dir is kept across restarts. */
  startMember(id: number): void {
    const peer = (i: number): string => `http://127.0.0.1:${this.peerPorts[i - 1]!}`;
    const initialCluster = this.ids().map((i) => `m${i}=${peer(i)}`).join(',');
    const flags = [
      '--name', `m${id}`,
      '--data-dir', join(this.dir, `m${id}.data`),
      '--listen-client-urls', this.clientUrl(id),
      '--advertise-client-urls', this.clientUrl(id),
      '--listen-peer-urls', peer(id),
      '--initial-advertise-peer-urls', peer(id),
      '--initial-cluster', initialCluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', `bench-${this.cmd.system}`,
      '--heartbeat-interval', String(this.settings.heartbeatMs),
      '--election-timeout', String(this.settings.electionMs),
      '--snapshot-count', String(this.settings.snapshotCount),
      // no automatic compaction (both default to it off; said here so that it stays the same)
      '--auto-compaction-retention', '0',
      '--log-level', 'warn',
      ...this.cmd.extraFlags,
      ...(this.cmd.memberFlags?.(id) ?? []),
    ];
    const out = openSync(this.logFile(id), 'a');
    try {
      const p = spawn(this.cmd.command, [...this.cmd.args, ...flags], { cwd: this.cmd.cwd, stdio: ['ignore', out, out] });
      this.registry.add(p);
      this.procs.set(id, p);
    } finally {
      closeSync(out);
    }
  }

  pid(id: number): number | undefined {
    return this.running(id) ? this.procs.get(id)?.pid : undefined;
  }

  /** Pids of the running members. */
  pids(): number[] {
    return this.ids().flatMap((id) => {
      const pid = this.procs.get(id)?.pid;
      return pid !== undefined && this.running(id) ? [pid] : [];
    });
  }

  running(id: number): boolean {
    const p = this.procs.get(id);
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  }

  async kill(id: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.procs.get(id);
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    // a member that ignores SIGTERM for 10 s gets SIGKILL
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
    this.statusClients.get(id)?.close();
    this.statusClients.delete(id);
  }

  /** Maintenance.Status of one member, or undefined when it does not answer within `timeoutMs`. */
  async status(id: number, timeoutMs = 1000): Promise<MemberStatus | undefined> {
    let c = this.statusClients.get(id);
    if (!c) {
      c = new Etcd3(clientOptions([this.clientUrl(id)], timeoutMs));
      this.statusClients.set(id, c);
    }
    try {
      const s = await c.maintenance.status({ deadline: Date.now() + timeoutMs });
      return { memberId: s.header.member_id, leader: s.leader, raftIndex: BigInt(s.raftIndex || '0') };
    } catch {
      return undefined;
    }
  }

  /** The id of the member every running member names as leader. */
  async leader(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
      const ids = this.ids().filter((id) => this.running(id));
      const st = await Promise.all(ids.map((id) => this.status(id)));
      const lead = st.findIndex((s) => s !== undefined && s.leader !== '0' && s.memberId === s.leader);
      if (lead >= 0 && st.every((s) => s !== undefined && s.leader === st[lead]!.leader)) return ids[lead]!;
      await sleep(50);
    }
    throw new Error(`${this.system}: no leader agreed on within ${timeoutMs} ms (logs: ${this.dir})`);
  }

  /** Waits until every member runs, agrees on the leader and has the same raft index. */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
      const st = await Promise.all(this.ids().map((id) => this.status(id)));
      const first = st[0];
      if (first && first.leader !== '0' && st.every((s) => s !== undefined && s.leader === first.leader && s.raftIndex === first.raftIndex)) return;
      await sleep(50);
    }
    throw new Error(`${this.system}: members did not settle within ${timeoutMs} ms (logs: ${this.dir})`);
  }

  /** Any member that exited on its own (not killed by us) is a failed run. */
  crashed(): number[] {
    return this.ids().filter((id) => {
      const p = this.procs.get(id);
      return p !== undefined && p.exitCode !== null;
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.ids().map((id) => this.kill(id, this.cmd.stopSignal)));
    for (const c of this.statusClients.values()) c.close();
    this.statusClients.clear();
  }
}
