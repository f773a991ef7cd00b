// A synchronous in-memory cluster for scripted Raft tests: messages are delivered one by one
// in order until none are left; links can be cut. Every Ready is "persisted" to MemoryStorage
// and its committed entries recorded, following the driver contract.
import { Raft } from '../../../raft/core/raft.js';
import type { RaftConfig } from '../../../raft/core/config.js';
import type { Entry, Message, NodeId } from '../../../raft/core/types.js';
import { MessageType } from '../../../raft/core/types.js';
import { MemoryStorage } from '../../../raft/storage/memory-storage.js';

import { seededRng as seeded } from '../../support/random.js';
export { seeded };

export interface TestNode {
  raft: Raft;
  storage: MemoryStorage;
  applied: Entry[];
}

const TYPE_NAMES = Object.fromEntries(Object.entries(MessageType).map(([k, v]) => [v, k]));

export function describe(m: Message): string {
  let s = `${m.from}->${m.to} ${TYPE_NAMES[m.type]} Term:${m.term}`;
  if (m.type === MessageType.App) s += ` Log:${m.logTerm}/${m.index} Commit:${m.commit} Entries:[${m.entries.map((e) => `${e.term}/${e.index}`).join(' ')}]`;
  if (m.type === MessageType.AppResp) s += ` Index:${m.index}${m.reject ? ` Rejected Hint:${m.hintTerm}/${m.rejectHint}` : ''}`;
  if (m.type === MessageType.Vote || m.type === MessageType.PreVote) s += ` Log:${m.logTerm}/${m.index}`;
  if ((m.type === MessageType.VoteResp || m.type === MessageType.PreVoteResp) && m.reject) s += ' Rejected';
  if (m.type === MessageType.Heartbeat) s += ` Commit:${m.commit}`;
  return s;
}

export class Net {
  readonly nodes = new Map<NodeId, TestNode>();
  private readonly cut = new Set<string>();
  readonly trace: string[] = [];
  dropAll = false;

  /** `bootstrap` writes the membership as log entries (as real clusters do); `static` puts it in an initial snapshot. */
  constructor(ids: NodeId[], opts: Partial<RaftConfig> = {}, seed = 1, membership: 'static' | 'bootstrap' = 'static') {
    for (const id of ids) {
      const storage = membership === 'static' ? MemoryStorage.withVoters(ids) : MemoryStorage.bootstrap(ids);
      this.nodes.set(id, { raft: new Raft({ id, storage, random: seeded(seed * 100 + id), ...opts }), storage, applied: [] });
    }
    // apply the bootstrap entries so every member knows the membership
    for (const n of this.nodes.values()) this.drain(n);
  }

  node(id: NodeId): TestNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cutLink(id, other);
  }

  cutLink(a: NodeId, b: NodeId): void {
    this.cut.add(`${a}-${b}`);
    this.cut.add(`${b}-${a}`);
  }

  heal(): void {
    this.cut.clear();
  }

  /** Runs every node's Ready loop and delivers messages until the network is quiet. */
  settle(maxRounds = 1000): void {
    for (let round = 0; round < maxRounds; round++) {
      const out: Message[] = [];
      for (const n of this.nodes.values()) out.push(...this.drain(n));
      if (out.length === 0) return;
      for (const m of out) this.deliver(m);
    }
    throw new Error('network did not settle');
  }

  deliver(m: Message): void {
    const n = this.nodes.get(m.to);
    if (!n || this.dropAll || this.cut.has(`${m.from}-${m.to}`)) return;
    this.trace.push(describe(m));
    n.raft.step(m);
  }

  drain(n: TestNode): Message[] {
    const out: Message[] = [];
    while (n.raft.hasReady()) {
      const rd = n.raft.ready();
      if (rd.snapshot) n.storage.applySnapshot(rd.snapshot);
      n.storage.append(rd.entries);
      if (rd.hardState) n.storage.setHardState(rd.hardState);
      out.push(...rd.messages);
      n.applied.push(...rd.committedEntries);
      n.raft.advance(rd);
    }
    return out;
  }

  tick(id: NodeId, times = 1): void {
    for (let i = 0; i < times; i++) this.node(id).raft.tick();
  }

  elect(id: NodeId): void {
    this.node(id).raft.campaign();
    this.settle();
  }

  leader(): NodeId | undefined {
    for (const [id, n] of this.nodes) if (n.raft.status().role === 'leader') return id;
    return undefined;
  }
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const untext = (b: Uint8Array): string => new TextDecoder().decode(b);
