// Real etcd members (Debian's etcd-server 3.4) as a Cluster: one process per member on
// 127.0.0.1, ports chosen free, data and logs in a temporary directory, fsync on (etcd's default).
// Any server taking etcd's member flags (--name, --data-dir, --listen-client-urls, ...
// --initial-cluster-state) can be run the same way through `command` and `extraArgs`.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { noop } from 'cockatiel';
import { ClusterError, ClusterErrorCode } from './cluster.js';
import type { Cluster, MemberInfo, MemberState } from './cluster.js';
import { freePorts, waitForPort } from './free-port.js';

export interface EtcdClusterOptions {
  /** Members; default 3. */
  readonly size?: number;
  /** The program and its leading arguments; the member flags follow. Default ['/usr/bin/etcd']. */
  readonly command?: readonly string[];
  /** Appended after the member flags. Default: etcd's JSON logging to stderr (the member's log file). */
  readonly extraArgs?: readonly string[];
  /** Where the temporary directory is made; default os.tmpdir(). */
  readonly baseDir?: string;
  /** Keep data and logs after stop() (for post-mortems); default false. */
  readonly keepDir?: boolean;
  /** Bound on start(): every member answering and a leader elected. Default 60 s (a loaded 2-core machine starts tsx slowly). */
  readonly startTimeoutMs?: number;
  /** Bound on a member exiting after SIGKILL and on restart() accepting connections. Default 30 s. */
  readonly processTimeoutMs?: number;
  /** Deadline of each Status call made by leader(). Default 500 ms. */
  readonly statusTimeoutMs?: number;
  readonly log?: (line: string) => void;
  /** Member names are `${memberPrefix}${i}` (also their data dir and log file names); default 'etcd'. */
  readonly memberPrefix?: string;
  /** Prefix of the temporary directory's name; default 'shoal-etcd-'. */
  readonly dirPrefix?: string;
}

interface Member {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
  readonly logFile: string;
  proc: ChildProcess | null;
  exited: Promise<void> | null;
  state: MemberState;
  status: Etcd3 | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class EtcdCluster implements Cluster {
  readonly #size: number;
  readonly #command: readonly string[];
  readonly #extraArgs: readonly string[];
  readonly #baseDir: string;
  readonly #keepDir: boolean;
  readonly #startTimeoutMs: number;
  readonly #processTimeoutMs: number;
  readonly #statusTimeoutMs: number;
  readonly #log: (line: string) => void;
  readonly #memberPrefix: string;
  readonly #dirPrefix: string;
  #root: string | null = null;
  #members: Member[] = [];
  /** Member ids (decimal strings from Status headers) to names; ids never change. */
  readonly #idToName = new Map<string, string>();
  #stopped = false;
  readonly #onExit = (): void => this.#killAllSync();

  constructor(options: EtcdClusterOptions = {}) {
    this.#size = options.size ?? 3;
    if (!Number.isInteger(this.#size) || this.#size < 1 || this.#size > 7) throw new Error(`EtcdCluster: size must be 1..7, got ${this.#size}`);
    this.#command = options.command ?? ['/usr/bin/etcd'];
    if (this.#command.length === 0) throw new Error('EtcdCluster: empty command');
    this.#extraArgs = options.extraArgs ?? ['--logger=zap', '--log-outputs=stderr'];
    this.#baseDir = options.baseDir ?? os.tmpdir();
    this.#keepDir = options.keepDir ?? false;
    this.#startTimeoutMs = options.startTimeoutMs ?? 60_000;
    this.#processTimeoutMs = options.processTimeoutMs ?? 30_000;
    this.#statusTimeoutMs = options.statusTimeoutMs ?? 500;
    this.#log = options.log ?? (() => {});
    this.#memberPrefix = options.memberPrefix ?? 'etcd';
    if (this.#memberPrefix === '' || /[=,/]/.test(this.#memberPrefix)) throw new Error(`EtcdCluster: bad memberPrefix "${this.#memberPrefix}"`);
    this.#dirPrefix = options.dirPrefix ?? 'shoal-etcd-';
  }

  /** The temporary directory holding every member's data dir and log; null before start(). */
  get dir(): string | null {
    return this.#root;
  }

  async start(): Promise<void> {
    if (this.#stopped) throw new ClusterError(ClusterErrorCode.Stopped, null, 'cluster already stopped');
    if (this.#root !== null) throw new Error('EtcdCluster.start called twice');
    this.#root = fs.mkdtempSync(path.join(this.#baseDir, this.#dirPrefix));
    const ports = await freePorts(2 * this.#size);
    this.#members = Array.from({ length: this.#size }, (_, i) => ({
      name: `${this.#memberPrefix}${i}`,
      clientPort: ports[2 * i] as number,
      peerPort: ports[2 * i + 1] as number,
      dataDir: path.join(this.#root as string, `${this.#memberPrefix}${i}.data`),
      logFile: path.join(this.#root as string, `${this.#memberPrefix}${i}.log`),
      proc: null,
      exited: null,
      state: 'down' as MemberState,
      status: null,
    }));
    process.on('exit', this.#onExit);
    for (const m of this.#members) this.#spawn(m);

    const deadline = Date.now() + this.#startTimeoutMs;
    for (;;) {
      for (const m of this.#members) {
        if (m.state === 'down') throw new ClusterError(ClusterErrorCode.ExitedEarly, m.name, `${m.name} exited during start:\n${this.#logTail(m)}`);
      }
      const answers = await Promise.all(this.#members.map((m) => this.#status(m)));
      if (answers.every((a) => a !== null) && (await this.leader()) !== null) return;
      if (Date.now() > deadline) {
        const logs = this.#members.map((m) => `--- ${m.name}:\n${this.#logTail(m, 5)}`).join('\n');
        throw new ClusterError(ClusterErrorCode.StartTimeout, null, `no leader within ${this.#startTimeoutMs} ms\n${logs}`);
      }
      await sleep(100);
    }
  }

  members(): readonly MemberInfo[] {
    return this.#members.map((m) => ({
      name: m.name,
      pid: m.state === 'down' ? null : (m.proc?.pid ?? null),
      clientUrl: `http://127.0.0.1:${m.clientPort}`,
      state: m.state,
    }));
  }

  async kill(name: string): Promise<void> {
    const m = this.#member(name);
    if (m.state === 'down') return;
    m.proc?.kill('SIGKILL');
    await this.#awaitExit(m);
  }

  async pause(name: string): Promise<void> {
    const m = this.#member(name);
    if (m.state !== 'running') throw new ClusterError(ClusterErrorCode.NotRunning, name, `${name} is ${m.state}, cannot pause`);
    m.proc?.kill('SIGSTOP');
    m.state = 'paused';
    await this.#awaitStopped(m, true);
  }

  async resume(name: string): Promise<void> {
    const m = this.#member(name);
    if (m.state !== 'paused') return;
    m.proc?.kill('SIGCONT');
    m.state = 'running';
    await this.#awaitStopped(m, false);
  }

  /** Signals are delivered asynchronously: wait (bounded) until /proc shows the process (not) stopped. */
  async #awaitStopped(m: Member, stopped: boolean): Promise<void> {
    const pid = m.proc?.pid;
    if (pid === undefined) return;
    const deadline = Date.now() + this.#processTimeoutMs;
    for (;;) {
      let state: string;
      try {
        state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').charAt(0);
      } catch {
        return; // gone, or no /proc
      }
      if ((state === 'T') === stopped) return;
      if (Date.now() > deadline) throw new ClusterError(ClusterErrorCode.SignalTimeout, m.name, `${m.name} not ${stopped ? 'stopped' : 'continued'} within ${this.#processTimeoutMs} ms`);
      await sleep(5);
    }
  }

  async restart(name: string): Promise<void> {
    const m = this.#member(name);
    if (this.#stopped) throw new ClusterError(ClusterErrorCode.Stopped, name, 'cluster already stopped');
    await this.kill(name);
    this.#spawn(m);
    if (!(await waitForPort(m.clientPort, this.#processTimeoutMs))) {
      const state = m.state;
      throw new ClusterError(ClusterErrorCode.StartTimeout, name, `${name} (${state}) not accepting clients within ${this.#processTimeoutMs} ms:\n${this.#logTail(m)}`);
    }
  }

  async leader(): Promise<string | null> {
    const answers = (await Promise.all(this.#members.map((m) => this.#status(m)))).filter((a) => a !== null);
    let best: { term: bigint; leader: string } | null = null;
    for (const a of answers) {
      if (a.leader === '0') continue;
      if (best === null || a.term > best.term) best = { term: a.term, leader: a.leader };
    }
    return best === null ? null : (this.#idToName.get(best.leader) ?? null);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const m of this.#members) {
      if (m.proc !== null && m.state !== 'down') {
        m.proc.kill('SIGCONT');
        m.proc.kill('SIGKILL');
      }
    }
    await Promise.all(this.#members.map((m) => this.#awaitExit(m).catch((e: unknown) => this.#log(`stop: ${String(e)}`))));
    for (const m of this.#members) {
      m.status?.close();
      m.status = null;
    }
    process.removeListener('exit', this.#onExit);
    if (this.#root !== null && !this.#keepDir) fs.rmSync(this.#root, { recursive: true, force: true });
  }

  #member(name: string): Member {
    const m = this.#members.find((x) => x.name === name);
    if (m === undefined) throw new ClusterError(ClusterErrorCode.UnknownMember, name, `no member named ${name}`);
    return m;
  }

  #spawn(m: Member): void {
    const peerUrl = (p: number): string => `http://127.0.0.1:${p}`;
    const initialCluster = this.#members.map((x) => `${x.name}=${peerUrl(x.peerPort)}`).join(',');
    const args = [
      `--name=${m.name}`,
      `--data-dir=${m.dataDir}`,
      `--listen-client-urls=http://127.0.0.1:${m.clientPort}`,
      `--advertise-client-urls=http://127.0.0.1:${m.clientPort}`,
      `--listen-peer-urls=${peerUrl(m.peerPort)}`,
      `--initial-advertise-peer-urls=${peerUrl(m.peerPort)}`,
      `--initial-cluster=${initialCluster}`,
      // Ignored once the data dir exists, so restarts rejoin with their WAL.
      '--initial-cluster-state=new',
      // Only the flags the Shoal store also takes (issue 3); no cluster token, as every cluster
      // has ports of its own.
      ...this.#extraArgs,
    ];
    // No ETCD_* variable from the environment may change the configuration.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD')));
    const fd = fs.openSync(m.logFile, 'a');
    let proc: ChildProcess;
    try {
      proc = spawn(this.#command[0] as string, [...this.#command.slice(1), ...args], { stdio: ['ignore', fd, fd], env });
    } finally {
      fs.closeSync(fd);
    }
    m.proc = proc;
    m.state = 'running';
    m.exited = new Promise<void>((resolve) => {
      proc.once('exit', (code, signal) => {
        if (m.proc === proc) {
          m.state = 'down';
          this.#log(`${m.name} (pid ${proc.pid}) exited: ${signal ?? `code ${code}`}`);
        }
        resolve();
      });
      proc.once('error', (e) => {
        if (m.proc === proc) m.state = 'down';
        this.#log(`${m.name}: spawn error ${e.message}`);
        resolve();
      });
    });
  }

  async #awaitExit(m: Member): Promise<void> {
    if (m.exited === null) return;
    const timedOut = await Promise.race([m.exited.then(() => false), sleep(this.#processTimeoutMs).then(() => true)]);
    if (timedOut) throw new ClusterError(ClusterErrorCode.ExitTimeout, m.name, `${m.name} did not exit within ${this.#processTimeoutMs} ms`);
  }

  async #status(m: Member): Promise<{ leader: string; term: bigint } | null> {
    if (m.state !== 'running') return null;
    m.status ??= new Etcd3({
      hosts: [`http://127.0.0.1:${m.clientPort}`],
      dialTimeout: this.#statusTimeoutMs,
      faultHandling: { host: () => noop, global: noop },
    });
    try {
      // etcd3's proto names StatusResponse fields in camelCase and the header in snake_case.
      const s = await m.status.maintenance.status({ deadline: Date.now() + this.#statusTimeoutMs });
      this.#idToName.set(String(s.header.member_id), m.name);
      return { leader: String(s.leader), term: BigInt(s.raftTerm) };
    } catch {
      return null;
    }
  }

  #logTail(m: Member, lines = 15): string {
    try {
      return fs.readFileSync(m.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Last resort when the test process exits without stop(): no etcd may outlive it. */
  #killAllSync(): void {
    for (const m of this.#members) {
      if (m.proc !== null && m.state !== 'down') {
        try {
          m.proc.kill('SIGCONT');
          m.proc.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }
}
