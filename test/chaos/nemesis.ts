// Faults injected into a Cluster while the workload runs: kill -9 (the leader most often),
// SIGSTOP then SIGCONT after a short pause, and restarts of killed members. At most `maxFaulty`
// members are down or paused at once (default 1: a majority stays up, so the cluster must keep
// serving). Every action is bounded in time and logged with its offset from the start.
import type { Cluster } from './cluster.js';
import { seededRng } from '../support/random.js';
import type { Rng } from '../support/random.js';

export type NemesisActionKind = 'kill' | 'pause' | 'resume' | 'restart' | 'none';

export interface NemesisAction {
  /** Milliseconds since the nemesis started. */
  readonly atMs: number;
  readonly kind: NemesisActionKind;
  readonly member: string | null;
  /** Whether the member was the leader when the action was chosen. */
  readonly wasLeader: boolean;
  readonly durationMs: number;
  readonly error: string | null;
}

export interface NemesisOptions {
  readonly cluster: Cluster;
  readonly seed: number;
  /** Mean time between actions; each wait is uniform in [0.5, 1.5] × this. Default 3000 ms. */
  readonly intervalMs?: number;
  /** A paused member is resumed after a time uniform in this range. Default [300, 2500] ms. */
  readonly pauseMs?: readonly [number, number];
  /** Members down or paused at once. Default 1. */
  readonly maxFaulty?: number;
  /**
   * How many of each fault go into a deck that is shuffled and drawn from, then refilled: every
   * run of sum(weights) faults has exactly these counts (so a short run still sees every kind).
   * Default killLeader 4, killFollower 1, pauseLeader 2, pauseFollower 1.
   */
  readonly weights?: Readonly<Record<FaultKind, number>>;
  readonly log?: (line: string) => void;
}

export type FaultKind = 'killLeader' | 'killFollower' | 'pauseLeader' | 'pauseFollower';

const DEFAULT_WEIGHTS: Readonly<Record<FaultKind, number>> = { killLeader: 4, killFollower: 1, pauseLeader: 2, pauseFollower: 1 };

export class Nemesis {
  readonly #o: NemesisOptions;
  readonly #rng: Rng;
  readonly #actions: NemesisAction[] = [];
  #started = 0;
  #stopping = false;
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #deck: FaultKind[] = [];

  constructor(o: NemesisOptions) {
    if ((o.maxFaulty ?? 1) < 0) throw new Error('nemesis: maxFaulty must be >= 0');
    const w = Object.values(o.weights ?? DEFAULT_WEIGHTS);
    if (!w.every((x) => Number.isInteger(x) && x >= 0) || !w.some((x) => x > 0)) throw new Error('nemesis: weights must be non-negative integers, not all 0');
    this.#o = o;
    this.#rng = seededRng(o.seed);
  }

  get actions(): readonly NemesisAction[] {
    return this.#actions;
  }

  start(): void {
    if (this.#loop !== null) throw new Error('nemesis already started');
    this.#started = performance.now();
    this.#loop = this.#run();
  }

  /** Stops choosing actions and waits for the current one (bounded by the cluster's own bounds). */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
  }

  /** Resumes every paused member and restarts every down one. */
  async heal(): Promise<void> {
    for (const m of this.#o.cluster.members()) {
      if (m.state === 'paused') await this.#act('resume', m.name, false, () => this.#o.cluster.resume(m.name));
    }
    for (const m of this.#o.cluster.members()) {
      if (m.state === 'down') await this.#act('restart', m.name, false, () => this.#o.cluster.restart(m.name));
    }
  }

  async #sleep(ms: number): Promise<void> {
    if (this.#stopping) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.#wake = null;
  }

  async #run(): Promise<void> {
    const interval = this.#o.intervalMs ?? 3000;
    const [pauseMin, pauseMax] = this.#o.pauseMs ?? [300, 2500];
    const maxFaulty = this.#o.maxFaulty ?? 1;
    const weights = this.#o.weights ?? DEFAULT_WEIGHTS;
    const cluster = this.#o.cluster;
    while (!this.#stopping) {
      await this.#sleep(interval * (0.5 + this.#rng()));
      if (this.#stopping) break;
      const members = cluster.members();
      const down = members.filter((m) => m.state === 'down');
      const faulty = members.filter((m) => m.state !== 'running').length;
      if (down.length > 0 && (faulty >= maxFaulty || this.#rng() < 0.7)) {
        const m = down[Math.floor(this.#rng() * down.length)];
        if (m !== undefined) await this.#act('restart', m.name, false, () => cluster.restart(m.name));
        continue;
      }
      if (faulty >= maxFaulty) {
        this.#record('none', null, false, 0, null);
        continue;
      }
      const choice = this.#draw(weights);
      const leader = await cluster.leader();
      const up = cluster.members().filter((m) => m.state === 'running');
      const wantLeader = choice === 'killLeader' || choice === 'pauseLeader';
      const candidates = up.filter((m) => (wantLeader ? m.name === leader : m.name !== leader));
      const target = candidates[Math.floor(this.#rng() * candidates.length)] ?? up[Math.floor(this.#rng() * up.length)];
      if (target === undefined) {
        this.#record('none', null, false, 0, 'no running member');
        continue;
      }
      const wasLeader = target.name === leader;
      if (choice === 'killLeader' || choice === 'killFollower') {
        await this.#act('kill', target.name, wasLeader, () => cluster.kill(target.name));
      } else {
        await this.#act('pause', target.name, wasLeader, () => cluster.pause(target.name));
        await this.#sleep(pauseMin + this.#rng() * (pauseMax - pauseMin));
        await this.#act('resume', target.name, false, () => cluster.resume(target.name));
      }
    }
  }

  #draw(weights: Readonly<Record<FaultKind, number>>): FaultKind {
    if (this.#deck.length === 0) {
      for (const [k, n] of Object.entries(weights) as [FaultKind, number][]) for (let i = 0; i < n; i++) this.#deck.push(k);
      for (let i = this.#deck.length - 1; i > 0; i--) {
        const j = Math.floor(this.#rng() * (i + 1));
        [this.#deck[i], this.#deck[j]] = [this.#deck[j] as FaultKind, this.#deck[i] as FaultKind];
      }
    }
    return this.#deck.pop() as FaultKind;
  }

  async #act(kind: NemesisActionKind, member: string, wasLeader: boolean, f: () => Promise<void>): Promise<void> {
    const t0 = performance.now();
    let error: string | null = null;
    try {
      await f();
    } catch (e) {
      error = e instanceof Error ? e.message.split('\n')[0] ?? e.message : String(e);
    }
    this.#record(kind, member, wasLeader, performance.now() - t0, error, t0);
  }

  #record(kind: NemesisActionKind, member: string | null, wasLeader: boolean, durationMs: number, error: string | null, at = performance.now()): void {
    const a: NemesisAction = { atMs: at - this.#started, kind, member, wasLeader, durationMs, error };
    this.#actions.push(a);
    this.#o.log?.(describeNemesisAction(a));
  }
}

export function describeNemesisAction(a: NemesisAction): string {
  const at = `+${(a.atMs / 1000).toFixed(1)}s`.padStart(7);
  const who = a.member === null ? '' : ` ${a.member}${a.wasLeader ? ' (leader)' : ''}`;
  const took = a.durationMs >= 1 ? ` in ${Math.round(a.durationMs)} ms` : '';
  return `${at} ${a.kind}${who}${took}${a.error === null ? '' : ` FAILED: ${a.error}`}`;
}
