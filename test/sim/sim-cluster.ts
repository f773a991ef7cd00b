// A simulated cluster: members, the network and a scheduler that picks one event per step
// with the seeded Rng. Invariants are checked inside every event and after every step. A run
// is a fault phase (profile.ticks of virtual time) then a heal phase that checks liveness.

import type { RaftStatus } from '../../raft/core/raft.js';
import { Raft } from '../../raft/core/raft.js';
import type { ConfChange, Entry, Message, NodeId, ReadState, Ready, Snapshot } from '../../raft/core/types.js';
import { ConfChangeType, EMPTY, EntryType, MessageType, Role } from '../../raft/core/types.js';
import { MemoryStorage } from '../../raft/storage/memory-storage.js';
import { decodeConfChange } from '../../raft/core/conf-change.js';
import { Invariants } from './invariants.js';
import { ConfHistory, formatConf, formatConfChange, isMember } from './membership.js';
import type { EventKind, EventRates, Profile } from './profiles.js';
import { EVENT_KINDS } from './profiles.js';
import { assertNever } from '../../raft/core/errors.js';
import { Rng } from './rng.js';
import type { InFlight, NetworkFaults } from './sim-network.js';
import { SimNetwork } from './sim-network.js';
import type { CrashPoint, DriverHooks, MemberSettings, RaftFactory, RaftLike } from './sim-node.js';
import { SimNode } from './sim-node.js';
import { encodeCommand } from './state-machine.js';
import { decodeText, formatMessage, Trace } from './trace.js';
import { SimFailure } from './sim-failure.js';
import { InvariantViolation } from './violation.js';

export interface SimOptions {
  seed: number;
  profile: Profile;
  /** Overrides profile.ticks. */
  ticks?: number;
  /** Defaults to the real Raft. */
  raftFactory?: RaftFactory;
  /** Keep every trace line (for SIM_TRACE=1), not only the last ones. */
  fullTrace?: boolean;
  electionTick?: number;
}

export interface SimStats {
  steps: number;
  ticks: number;
  delivered: number;
  lost: number;
  leaders: number;
  proposed: number;
  committed: number;
  crashes: number;
  snapshotsTaken: number;
  snapshotsSent: number;
  confChanges: number;
  transfers: number;
  readsChecked: number;
  readsMisrouted: number;
}

export interface SimResult {
  seed: number;
  profile: string;
  /** Fingerprint of the whole event trace: equal for two runs of one seed. */
  fingerprint: string;
  events: number;
  stats: SimStats;
  settings: string;
  trace: string[] | undefined;
}

const CRASH_POINTS: readonly CrashPoint[] = ['before-persist', 'before-send', 'before-apply'];
const encoder = new TextEncoder();
const realRaft: RaftFactory = (c) => new Raft(c);

interface PendingConf {
  cc: ConfChange;
  at: number;
}

export class SimCluster implements DriverHooks {
  readonly rng: Rng;
  readonly net: SimNetwork;
  readonly trace: Trace;
  readonly confs: ConfHistory;
  readonly inv: Invariants;
  readonly nodes = new Map<NodeId, SimNode>();
  readonly settings: MemberSettings;
  readonly stats: SimStats = {
    steps: 0,
    ticks: 0,
    delivered: 0,
    lost: 0,
    leaders: 0,
    proposed: 0,
    committed: 0,
    crashes: 0,
    snapshotsTaken: 0,
    snapshotsSent: 0,
    confChanges: 0,
    transfers: 0,
    readsChecked: 0,
    readsMisrouted: 0,
  };
  private readonly factory: RaftFactory;
  private readonly faults: NetworkFaults;
  private readonly electionTick: number;
  private phase: 'faults' | 'heal' = 'faults';
  private nextCommand = 1;
  private nextRead = 1;
  private nextNodeId: NodeId;
  private pendingConf: PendingConf | undefined;
  private readonly retireAt = new Map<NodeId, number>();
  /** Members that crashed inside their driver loop and restart at the end of the step. */
  private readonly bounced: SimNode[] = [];
  /** Members that got an input since the last sweep. */
  private readonly dirty = new Set<SimNode>();
  private readonly settingsText: string;
  /** The founding AddVoter entries at the start of the log (0 with a snapshot bootstrap). */
  private readonly bootstrapEntries: number;
  /** The profile's event rates with crash and partition scaled by this seed's nemesis intensity. */
  private readonly rates: EventRates;
  /** Events still to run before the clock ticks again. */
  private readonly agenda: EventKind[] = [];

  constructor(private readonly opts: SimOptions) {
    const p = opts.profile;
    this.rng = new Rng(opts.seed);
    this.factory = opts.raftFactory ?? realRaft;
    this.electionTick = opts.electionTick ?? 10;
    const rng = this.rng;
    // Per-seed knobs: some seeds are gentle, some hostile.
    this.faults = {
      // one seed in ten has a congested network, slower than the election timeout at times
      maxDelay: rng.chance(0.1) ? rng.range(p.maxDelay + 1, 25) : rng.int(p.maxDelay + 1),
      dropRate: rng.chance(0.2) ? 0 : rng.next() * p.maxDropRate,
      dupRate: rng.chance(0.3) ? 0 : rng.next() * p.maxDupRate,
    };
    this.settings = {
      electionTick: this.electionTick,
      heartbeatTick: 1,
      preVote: rng.chance(0.7),
      checkQuorum: rng.chance(0.7),
      maxSizePerMsg: rng.chance(0.3) ? 100 : 1024 * 1024,
      maxInflightMsgs: rng.chance(0.3) ? rng.range(1, 4) : 256,
      maxInflightBytes: rng.chance(0.2) ? rng.range(20, 200) : 32 * 1024 * 1024,
      ...p.raft,
    };
    const intensity = rng.pick([0.3, 1, 2, 4]);
    this.rates = { ...p.rates, crash: p.rates.crash * intensity, partition: p.rates.partition * intensity };
    const size = rng.pick(p.clusterSizes);
    const voters = Array.from({ length: size }, (_, i) => i + 1);
    // A joiner learns the founding membership from the log, so clusters whose membership
    // changes are bootstrapped with it as the first entries; fixed ones use either form.
    const bootstrap = p.rates.confChange > 0 || rng.chance(0.5);
    this.bootstrapEntries = bootstrap ? size : 0;
    this.nextNodeId = size + 1;
    this.settingsText =
      `voters=${size} preVote=${this.settings.preVote} checkQuorum=${this.settings.checkQuorum} ` +
      `bootstrap=${bootstrap ? 'log' : 'snapshot'} maxSizePerMsg=${this.settings.maxSizePerMsg} ` +
      `maxInflight=${this.settings.maxInflightMsgs}/${this.settings.maxInflightBytes}B ` +
      (this.settings.readOnlyOption !== undefined ? `reads=${this.settings.readOnlyOption} ` : '') +
      `nemesis=${intensity} delay=0..${this.faults.maxDelay} drop=${this.faults.dropRate.toFixed(3)} dup=${this.faults.dupRate.toFixed(3)}`;
    this.net = new SimNetwork(rng, this.faults);
    this.trace = new Trace(() => this.net.now, 30, opts.fullTrace ?? false);
    this.confs = new ConfHistory({ voters: bootstrap ? [] : voters, learners: [] });
    this.inv = new Invariants(this.confs);
    for (const id of voters) this.addNode(id, bootstrap ? MemoryStorage.bootstrap(voters) : MemoryStorage.withVoters(voters));
  }

  // ---------------------------------------------------------------- running

  run(): SimResult {
    const ticks = this.opts.ticks ?? this.opts.profile.ticks;
    try {
      for (const n of this.nodes.values()) this.input(n, 'start', () => {});
      this.sweep();
      this.planTick();
      while (this.net.now < ticks) {
        this.stats.steps++;
        this.stepOnce();
        this.restartBounced();
        this.sweep();
      }
      this.checkLiveness();
    } catch (err) {
      throw this.failure(err);
    }
    this.stats.readsChecked = this.inv.readsChecked;
    this.stats.readsMisrouted = this.inv.readsMisrouted;
    this.stats.committed = this.inv.commandsApplied;
    return {
      seed: this.opts.seed,
      profile: this.opts.profile.name,
      fingerprint: this.trace.fingerprint(),
      events: this.trace.events,
      stats: { ...this.stats },
      settings: this.settingsText,
      trace: this.trace.all,
    };
  }

  private failure(err: unknown): SimFailure {
    let property = 'harness-error';
    let detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    if (err instanceof InvariantViolation) {
      property = err.property;
      detail = err.detail;
    }
    return new SimFailure(
      this.opts.seed,
      this.opts.profile.name,
      this.stats.steps,
      this.net.now,
      property,
      detail,
      this.settingsText,
      this.trace.last(),
      this.trace.all,
      { cause: err },
    );
  }

  /**
   * One step: deliver one due message or run one event of this tick's agenda, picked at
   * random among all of them (so faults land between any two deliveries); when both are
   * exhausted the clock ticks and the next tick's agenda is drawn. The clock thus only moves
   * on once every message due by now is delivered (or lost): none is ever later than the
   * network's maximum delay.
   */
  private stepOnce(): void {
    const n = this.agenda.length + this.net.dueCount;
    if (n === 0) {
      this.tickAll(this.opts.profile.clockSkew);
      this.planTick();
      return;
    }
    const i = this.rng.int(n);
    if (i >= this.agenda.length) return this.deliverOne();
    const kind = this.agenda[i]!;
    this.agenda[i] = this.agenda[this.agenda.length - 1]!;
    this.agenda.pop();
    this.runEvent(kind);
  }

  /** Draws the events of the next tick: each kind about `rate` times per tick. */
  private planTick(): void {
    for (const k of EVENT_KINDS) {
      const rate = this.rates[k];
      let count = Math.floor(rate);
      if (this.rng.chance(rate - count)) count++;
      for (let i = 0; i < count; i++) this.agenda.push(k);
    }
  }

  private runEvent(kind: EventKind): void {
    switch (kind) {
      case 'propose':
        this.proposeOn(this.pickUp());
        return;
      case 'readIndex':
        return this.readOn(this.pickUp());
      case 'crash':
        return this.crashOne();
      case 'restart':
        return this.restartOne();
      case 'partition':
        return this.partition();
      case 'heal':
        if (!this.net.partitioned) return;
        this.net.heal();
        return this.trace.add('heal');
      case 'snapshot':
        return this.snapshotOne();
      case 'confChange':
        return this.changeMembership();
      case 'transfer':
        return this.transfer();
      case 'campaign': {
        const n = this.pickUp();
        if (n === undefined) return;
        this.trace.add(`campaign ${n.id}`);
        return this.input(n, 'campaign', (r) => r.campaign());
      }
      default:
        return assertNever(kind);
    }
  }

  // ---------------------------------------------------------------- members

  private addNode(id: NodeId, storage: MemoryStorage): SimNode {
    const n = new SimNode(id, storage);
    this.nodes.set(id, n);
    this.inv.nodeCreated(id, storage);
    n.start(this.factory, this.settings, this.rng);
    return n;
  }

  /** Feeds one input to a member, then runs its driver loop until it has nothing more. */
  private input(n: SimNode, what: string, f: (r: RaftLike) => void): void {
    const r = n.raft;
    if (r === undefined) return;
    try {
      f(r);
      n.drain(this);
    } catch (err) {
      if (err instanceof InvariantViolation) throw err;
      const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
      throw new InvariantViolation('core-error', `node ${n.id} threw during ${what}: ${msg}`);
    }
    this.dirty.add(n);
  }

  private observe(n: SimNode, st: RaftStatus): void {
    if (st.role !== Role.Leader) return;
    if (this.inv.leaderObserved(n.id, st.term, n.storage)) {
      this.stats.leaders++;
      this.trace.add(`leader ${n.id} term=${st.term} last=${st.lastIndex} commit=${st.commit}`);
    }
    this.inv.leaderCommitted(st.term, st.commit);
  }

  /**
   * The per-step check of the volatile state of every live member that got an input in this
   * step (the others did not change). Within one step only one member acts, or all of them
   * tick, so checking at the end of the step sees every leader before anyone else moves.
   */
  private sweep(): void {
    for (const n of this.dirty) {
      const r = n.raft;
      if (r === undefined) continue;
      const st = r.status();
      this.inv.status(n.id, n.incarnation, st, n.sm!);
      this.observe(n, st);
    }
    this.dirty.clear();
  }

  private upNodes(): SimNode[] {
    const out: SimNode[] = [];
    for (const n of this.nodes.values()) if (n.up) out.push(n);
    return out;
  }

  private pickUp(): SimNode | undefined {
    const up = this.upNodes();
    return up.length === 0 ? undefined : this.rng.pick(up);
  }

  /** The live member that is leader in the highest term, if any. */
  private leader(): { node: SimNode; st: RaftStatus } | undefined {
    let best: { node: SimNode; st: RaftStatus } | undefined;
    for (const n of this.nodes.values()) {
      const st = n.raft?.status();
      if (st === undefined || st.role !== Role.Leader) continue;
      if (best === undefined || st.term > best.st.term) best = { node: n, st };
    }
    return best;
  }

  // ---------------------------------------------------------------- events

  private tickAll(skew: number): void {
    this.net.advance();
    this.stats.ticks++;
    this.trace.add('tick');
    for (const [id, at] of this.retireAt) {
      if (at > this.net.now) continue;
      this.retireAt.delete(id);
      this.retire(id);
    }
    for (const n of this.rng.shuffled(this.upNodes())) {
      // Clock skew: a member's tick is sometimes late or doubled.
      let ticks = 1;
      if (skew > 0 && this.rng.chance(skew)) ticks = this.rng.chance(0.5) ? 0 : 2;
      for (let i = 0; i < ticks; i++) this.input(n, 'tick', (r) => r.tick());
    }
  }

  private deliverOne(): void {
    const f = this.net.takeDue();
    if (f !== undefined) this.deliver(f);
  }

  private deliver(f: InFlight): void {
    const m = f.msg;
    const to = this.nodes.get(m.to);
    const lost = f.lost ?? (to === undefined || !to.up ? 'down' : undefined);
    if (lost !== undefined) {
      this.stats.lost++;
      this.trace.add(`lost(${lost}) ${formatMessage(m)}`);
      if (m.type === MessageType.Snap) this.reportToSender(f, (r) => r.reportSnapshot(m.to, false), 'snapshot failed');
      else if (lost !== 'drop' && this.rng.chance(0.3)) this.reportToSender(f, (r) => r.reportUnreachable(m.to), 'unreachable');
      return;
    }
    this.stats.delivered++;
    this.trace.add(`${formatMessage(m)}${f.duplicate ? ' (dup)' : ''}`);
    this.input(to!, `step ${formatMessage(m)}`, (r) => r.step(m));
    if (m.type === MessageType.Snap) {
      this.stats.snapshotsSent++;
      this.reportToSender(f, (r) => r.reportSnapshot(m.to, true), 'snapshot done');
    }
  }

  /** Transport feedback goes to the incarnation that sent the message, if it is still running. */
  private reportToSender(f: InFlight, report: (r: RaftLike) => void, what: string): void {
    const from = this.nodes.get(f.msg.from);
    if (from === undefined || !from.up || from.incarnation !== f.origin) return;
    this.trace.add(`report ${f.msg.from}: ${what} to ${f.msg.to}`);
    this.input(from, what, report);
  }

  private proposeOn(n: SimNode | undefined): boolean {
    if (n === undefined) return false;
    const id = this.nextCommand++;
    this.inv.proposedCommand(id);
    this.stats.proposed++;
    let res: { ok: boolean; reason?: string } = { ok: false };
    this.input(n, `propose c${id}`, (r) => {
      res = r.propose(encodeCommand(id));
    });
    this.trace.add(`propose ${n.id} c${id} ${res.ok ? 'ok' : `rejected (${res.reason ?? ''})`}`);
    return res.ok;
  }

  private readOn(n: SimNode | undefined): void {
    if (n === undefined) return;
    const ctx = `r${this.nextRead++}`;
    this.inv.readIssued(ctx, n.id, this.net.now);
    let res: { ok: boolean; reason?: string } = { ok: false };
    this.input(n, `readIndex ${ctx}`, (r) => {
      res = r.readIndex(encoder.encode(ctx));
    });
    this.trace.add(`read ${n.id} ${ctx} needs>=${this.inv.maxApplied} ${res.ok ? 'ok' : `rejected (${res.reason ?? ''})`}`);
  }

  /** Half the time the nemesis goes for the leader: that is where the interesting faults are. */
  private pickVictim(): SimNode | undefined {
    const l = this.rng.chance(0.5) ? this.leader() : undefined;
    return l?.node ?? this.pickUp();
  }

  private crashOne(): void {
    const n = this.pickVictim();
    if (n === undefined) return;
    n.crash();
    this.stats.crashes++;
    this.trace.add(`crash ${n.id}`);
    // A process supervisor often restarts the member at once: its peers barely notice.
    if (this.rng.chance(0.3)) this.restart(n);
  }

  private restartOne(): void {
    const down = [...this.nodes.values()].filter((n) => !n.up && !n.retired);
    if (down.length === 0) return;
    this.restart(this.rng.pick(down));
  }

  private restart(n: SimNode): void {
    n.start(this.factory, this.settings, this.rng);
    const hs = n.storage.initialState().hardState;
    this.trace.add(
      `restart ${n.id} term=${hs.term} vote=${hs.vote} commit=${hs.commit} snap=${n.storage.snapshot().meta.index} last=${n.storage.lastIndex()}`,
    );
    this.input(n, 'restart', () => {});
  }

  /** The application shuts a removed member down for good. */
  private retire(id: NodeId): void {
    const n = this.nodes.get(id);
    // A change applied since may have made it a member again.
    if (n === undefined || n.retired || isMember(this.confs.latest, id)) return;
    n.crash();
    n.retired = true;
    this.trace.add(`retire ${id}`);
  }

  private partition(): void {
    const ids = this.upNodes().map((n) => n.id);
    if (ids.length < 2) return;
    const r = this.rng.next();
    if (r < 0.15) {
      const [a, b] = this.rng.shuffled(ids);
      this.net.cut(a!, b!);
    } else if (r < 0.55) {
      const victim = this.pickVictim()!.id;
      this.net.partition([[victim], ids.filter((id) => id !== victim)]);
    } else {
      const shuffled = this.rng.shuffled(ids);
      const k = this.rng.range(1, Math.floor(shuffled.length / 2));
      this.net.partition([shuffled.slice(0, k), shuffled.slice(k)]);
    }
    this.trace.add(`partition ${this.net.describePartition()}`);
  }

  private snapshotOne(): void {
    // Half the time on the leader: its compacted log is what sends followers a snapshot.
    const l = this.rng.chance(0.5) ? this.leader() : undefined;
    const n = l?.node ?? this.pickUp();
    const r = n?.raft;
    const sm = n?.sm;
    if (n === undefined || r === undefined || sm === undefined) return;
    if (sm.applied <= n.storage.snapshot().meta.index) return;
    const st = r.status();
    // The core's configuration is the one at its applied index (a change takes effect when
    // applied): it is the snapshot's when the core and the state machine agree on applied.
    if (st.applied !== sm.applied) {
      throw new InvariantViolation('applied-agrees', `node ${n.id}: core applied ${st.applied}, state machine ${sm.applied}`);
    }
    const keep = this.rng.int(this.opts.profile.keepEntriesMax + 1);
    try {
      n.storage.createSnapshot(sm.applied, { voters: [...st.conf.voters], learners: [...st.conf.learners] }, sm.encode(), keep);
    } catch (err) {
      throw new InvariantViolation('applied-le-commit', `node ${n.id} cannot snapshot its applied index ${sm.applied}: ${String(err)}`);
    }
    this.stats.snapshotsTaken++;
    this.trace.add(`snapshot ${n.id} idx=${sm.applied} keep=${keep} first=${n.storage.firstIndex()}`);
  }

  private changeMembership(): void {
    // An application retries a change that did not take effect within a few election timeouts.
    if (this.pendingConf !== undefined && this.net.now - this.pendingConf.at < 3 * this.electionTick) return;
    const l = this.leader();
    if (l === undefined) return;
    // Mostly on the leader; sometimes on another member, which forwards it.
    const via = this.rng.chance(0.8) ? l.node : this.pickUp()!;
    const cc = this.planConfChange();
    if (cc === undefined) return;
    let joiner: SimNode | undefined;
    if (cc.type === ConfChangeType.AddLearner) joiner = this.addNode(cc.node, new MemoryStorage());
    let res: { ok: boolean; reason?: string } = { ok: false };
    this.input(via, `proposeConfChange ${formatConfChange(cc)}`, (r) => {
      res = r.proposeConfChange(cc);
    });
    this.trace.add(
      `conf ${formatConfChange(cc)} via ${via.id} (${formatConf(this.confs.latest)}) ${res.ok ? 'ok' : `rejected (${res.reason ?? ''})`}`,
    );
    if (res.ok) this.pendingConf = { cc, at: this.net.now };
    else if (joiner !== undefined) this.retire(joiner.id);
  }

  /** One change at a time, keeping 2..5 voters; learners are promoted (or dropped) next. */
  private planConfChange(): ConfChange | undefined {
    const c = this.confs.latest;
    const ctx = EMPTY;
    const canAdd = this.nextNodeId <= this.opts.profile.maxNodes;
    const remove = (xs: readonly NodeId[]): ConfChange => ({ type: ConfChangeType.Remove, node: this.rng.pick(xs), context: ctx });
    const addLearner = (): ConfChange => ({ type: ConfChangeType.AddLearner, node: this.nextNodeId++, context: ctx });
    if (c.learners.length > 0) {
      if (this.rng.chance(0.8)) return { type: ConfChangeType.AddVoter, node: this.rng.pick(c.learners), context: ctx };
      return remove(c.learners);
    }
    if (c.voters.length <= 2) return canAdd ? addLearner() : undefined;
    if (c.voters.length >= 5 || !canAdd) return remove(c.voters);
    return this.rng.chance(0.5) ? addLearner() : remove(c.voters);
  }

  private transfer(): void {
    const l = this.leader();
    if (l === undefined) return;
    const others = [...this.nodes.keys()].filter((id) => id !== l.node.id);
    const voters = l.st.conf.voters.filter((id) => id !== l.node.id);
    if (others.length === 0) return;
    const to = voters.length > 0 && this.rng.chance(0.9) ? this.rng.pick(voters) : this.rng.pick(others);
    this.stats.transfers++;
    this.trace.add(`transfer ${l.node.id} -> ${to}`);
    this.input(l.node, `transferLeadership ${to}`, (r) => r.transferLeadership(to));
  }

  // ---------------------------------------------------------------- driver hooks

  crashPoint(n: SimNode, rd: Ready): CrashPoint | undefined {
    if (this.phase !== 'faults') return undefined;
    // Crashes are likelier around the moments that matter: a vote or a new term being
    // persisted, or a snapshot being installed.
    const hs = rd.hardState;
    const durable = this.inv.durableOf(n.id);
    const interesting = rd.snapshot !== undefined || (hs !== undefined && (hs.term !== durable.term || hs.vote !== durable.vote));
    const p = this.opts.profile.crashInReady * (interesting ? 10 : 1);
    return this.rng.chance(p) ? this.rng.pick(CRASH_POINTS) : undefined;
  }

  persisted(n: SimNode, rd: Ready, lastBefore: number): void {
    this.inv.persisted(n.id, n.storage, rd);
    const first = rd.entries[0];
    if (first !== undefined && first.index <= lastBefore && n.raft?.status().role === Role.Leader) {
      throw new InvariantViolation(
        'leader-append-only',
        `leader ${n.id} rewrote its log from index ${first.index} (its log ended at ${lastBefore})`,
      );
    }
  }

  send(m: Message): void {
    this.inv.sent(m);
    const from = this.nodes.get(m.from);
    for (const f of this.net.send(m)) f.origin = from?.incarnation ?? 0;
  }

  snapshotApplied(n: SimNode, snap: Snapshot): void {
    this.trace.add(`install ${n.id} snap=${snap.meta.index}/${snap.meta.term} ${formatConf(snap.meta.conf)}`);
    this.inv.snapshotApplied(n.id, snap, n.sm!);
  }

  applied(n: SimNode, e: Entry): void {
    const before = this.confs.latestIndex;
    this.inv.applied(n.id, e, n.sm!);
    if (e.type !== EntryType.ConfChange || this.confs.latestIndex === before) return;
    // First time anyone applies this change.
    const cc = decodeConfChange(e.data);
    if (e.index > this.bootstrapEntries) this.stats.confChanges++;
    this.trace.add(`conf applied at ${e.index}: ${formatConfChange(cc)} -> ${formatConf(this.confs.latest)}`);
    const p = this.pendingConf;
    if (p !== undefined && p.cc.type === cc.type && p.cc.node === cc.node) this.pendingConf = undefined;
    if (!isMember(this.confs.latest, cc.node)) {
      this.retireAt.set(cc.node, this.net.now + (this.phase === 'heal' ? 0 : this.rng.int(3 * this.electionTick)));
      return;
    }
    // A member again (a late change re-added it): the application brings it back.
    this.retireAt.delete(cc.node);
    const back = this.nodes.get(cc.node);
    if (back !== undefined && back.retired) {
      back.retired = false;
      this.trace.add(`unretire ${back.id}`);
      this.bounced.push(back);
    }
  }

  /** Restarts the members that crashed inside their driver loop (or came back) in this step. */
  private restartBounced(): void {
    for (const n of this.bounced.splice(0)) if (!n.up && !n.retired) this.restart(n);
  }

  readState(n: SimNode, rs: ReadState): void {
    this.trace.add(`read state ${n.id} idx=${rs.index} ctx=${decodeText(rs.context)}`);
    this.inv.readState(n.id, rs);
  }

  crashed(n: SimNode, at: CrashPoint): void {
    this.stats.crashes++;
    this.trace.add(`crash ${n.id} (${at})`);
    if (this.rng.chance(0.5)) this.bounced.push(n);
  }

  // ---------------------------------------------------------------- liveness

  /**
   * Heals everything (no loss, no partition, every member up, small delays), then requires,
   * within a bounded number of ticks, one leader known to a majority of the voters and a new
   * proposal applied on every live member.
   */
  private checkLiveness(): void {
    this.phase = 'heal';
    this.net.heal();
    this.net.faults = { maxDelay: Math.min(this.faults.maxDelay, 2), dropRate: 0, dupRate: 0 };
    this.trace.add('heal all: liveness phase');
    for (const [id] of this.retireAt) this.retire(id);
    this.retireAt.clear();
    for (const n of this.nodes.values()) if (!n.up && !n.retired) this.restart(n);
    this.sweep();

    const leaderBudget = 20 * this.electionTick;
    const commitBudget = 10 * this.electionTick;
    let cmd: { id: number; leader: NodeId; term: number } | undefined;
    let leaderAt: number | undefined;
    for (let t = 0; t < leaderBudget + commitBudget; t++) {
      this.stats.steps++;
      this.tickAll(0);
      this.restartBounced();
      this.sweep();
      this.deliverAll();
      for (const [id] of this.retireAt) this.retire(id);
      this.retireAt.clear();

      const stable = this.stableLeader();
      if (cmd !== undefined) {
        if (this.appliedEverywhere(cmd.id)) return;
        const l = this.nodes.get(cmd.leader)?.raft?.status();
        // The leader that took the proposal lost its leadership: the entry may be gone.
        if (l === undefined || l.role !== Role.Leader || l.term !== cmd.term) cmd = undefined;
      }
      if (cmd === undefined && stable !== undefined) {
        leaderAt ??= t;
        const id = this.nextCommand;
        if (this.proposeOn(stable.node)) cmd = { id, leader: stable.node.id, term: stable.st.term };
      }
      if (leaderAt === undefined && t >= leaderBudget) break;
    }
    const what =
      leaderAt === undefined
        ? `no leader known to a majority within ${leaderBudget} ticks of healing`
        : `a proposal made ${leaderAt} ticks after healing did not commit on every live member within ${leaderBudget + commitBudget} ticks`;
    throw new InvariantViolation('liveness', `${what}; ${formatConf(this.confs.latest)}; ${this.describeNodes()}`);
  }

  private deliverAll(): void {
    for (let i = 0; this.net.hasDue(); i++) {
      if (i > 100_000) throw new InvariantViolation('liveness', 'more than 100000 messages within one tick');
      this.stats.steps++;
      this.deliverOne();
      this.restartBounced();
      this.sweep();
    }
  }

  /** The one leader that a majority of the current voters follow, in its term. */
  private stableLeader(): { node: SimNode; st: RaftStatus } | undefined {
    const leaders = this.upNodes().filter((n) => n.raft!.status().role === Role.Leader);
    if (leaders.length !== 1) return undefined;
    const node = leaders[0]!;
    const st = node.raft!.status();
    const voters = this.confs.latest.voters;
    if (!voters.includes(node.id)) return undefined;
    let follow = 0;
    for (const v of voters) {
      const s = this.nodes.get(v)?.raft?.status();
      if (s !== undefined && s.leader === node.id && s.term === st.term) follow++;
    }
    return follow > voters.length / 2 ? { node, st } : undefined;
  }

  private appliedEverywhere(cmd: number): boolean {
    const at = this.inv.commandAppliedAt(cmd);
    if (at === undefined) return false;
    const c = this.confs.latest;
    for (const id of [...c.voters, ...c.learners]) {
      const n = this.nodes.get(id);
      if (n === undefined || n.retired) continue;
      if (n.sm === undefined || n.sm.applied < at) return false;
    }
    return true;
  }

  describeNodes(): string {
    return [...this.nodes.values()]
      .map((n) => {
        if (n.retired) return `${n.id}:retired`;
        const st = n.raft?.status();
        if (st === undefined) return `${n.id}:down`;
        return `${n.id}:${st.role} term=${st.term} leader=${st.leader} commit=${st.commit} applied=${n.sm?.applied} last=${st.lastIndex}`;
      })
      .join('; ');
  }
}

/** Runs one seed; throws SimFailure when a property breaks. */
export function runSimulation(opts: SimOptions): SimResult {
  return new SimCluster(opts).run();
}
