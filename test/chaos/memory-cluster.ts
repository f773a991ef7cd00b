// The in-memory twin of Cluster: no processes, just member states, a leader that moves when the
// leader goes down or is paused, and a log of every call. For testing what drives a Cluster
// (the nemesis) without real processes.
import { ClusterError, ClusterErrorCode } from './cluster.js';
import type { Cluster, MemberInfo, MemberState } from './cluster.js';

export class MemoryCluster implements Cluster {
  readonly calls: string[] = [];
  #members: { name: string; state: MemberState; pid: number }[];
  #leader: string | null = null;
  #nextPid = 1000;
  #started = false;

  constructor(size = 3) {
    this.#members = Array.from({ length: size }, (_, i) => ({ name: `m${i}`, state: 'down' as MemberState, pid: 0 }));
  }

  async start(): Promise<void> {
    this.calls.push('start');
    for (const m of this.#members) {
      m.state = 'running';
      m.pid = this.#nextPid++;
    }
    this.#started = true;
    this.#elect();
  }

  members(): readonly MemberInfo[] {
    return this.#members.map((m, i) => ({ name: m.name, pid: m.state === 'down' ? null : m.pid, clientUrl: `http://127.0.0.1:${2379 + i}`, state: m.state }));
  }

  async kill(name: string): Promise<void> {
    this.calls.push(`kill ${name}`);
    this.#member(name).state = 'down';
    this.#elect();
  }

  async pause(name: string): Promise<void> {
    this.calls.push(`pause ${name}`);
    const m = this.#member(name);
    if (m.state !== 'running') throw new ClusterError(ClusterErrorCode.NotRunning, name, `${name} is ${m.state}`);
    m.state = 'paused';
    this.#elect();
  }

  async resume(name: string): Promise<void> {
    this.calls.push(`resume ${name}`);
    const m = this.#member(name);
    if (m.state === 'paused') m.state = 'running';
    this.#elect();
  }

  async restart(name: string): Promise<void> {
    this.calls.push(`restart ${name}`);
    const m = this.#member(name);
    m.state = 'running';
    m.pid = this.#nextPid++;
    this.#elect();
  }

  async leader(): Promise<string | null> {
    return this.#leader;
  }

  async stop(): Promise<void> {
    this.calls.push('stop');
    for (const m of this.#members) m.state = 'down';
    this.#leader = null;
  }

  /** A majority of running members elects the first running one if the leader is gone. */
  #elect(): void {
    const running = this.#members.filter((m) => m.state === 'running');
    if (!this.#started || running.length * 2 <= this.#members.length) {
      this.#leader = null;
      return;
    }
    if (!running.some((m) => m.name === this.#leader)) this.#leader = running[0]?.name ?? null;
  }

  #member(name: string): { name: string; state: MemberState; pid: number } {
    const m = this.#members.find((x) => x.name === name);
    if (m === undefined) throw new ClusterError(ClusterErrorCode.UnknownMember, name, `no member named ${name}`);
    return m;
  }
}
