// The member table as replicated state: who is in the cluster, with their peer and client
// URLs and learner flag, plus the ids removed for good (an id is never reused, as in etcd).
// Pure and deterministic: every member applies the same changes in log order.
//
// The Raft configuration (voters/learners in raft/) follows this table: a change is applied
// here first, then proposed as a Raft conf change by the member that handles the request.
import type { Member } from '../../../proto/gen/store.js';
import { StoreError } from '../store-error.js';

export type MemberResult = { ok: true; members: Member[]; member?: Member } | { ok: false; error: StoreError };

function copy(m: Member): Member {
  return { id: m.id, name: m.name, peerUrls: [...m.peerUrls], clientUrls: [...m.clientUrls], isLearner: m.isLearner };
}

export class MemberTable {
  private initializedFlag = false;
  private readonly byId = new Map<number, Member>();
  private readonly removedIds = new Set<number>();

  /** Whether the founding members were recorded (ClusterInit applied, or restored). */
  get initialized(): boolean {
    return this.initializedFlag;
  }

  /** Members by id (ascending), as copies. */
  list(): Member[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id).map(copy);
  }

  get(id: number): Member | undefined {
    const m = this.byId.get(id);
    return m === undefined ? undefined : copy(m);
  }

  isRemoved(id: number): boolean {
    return this.removedIds.has(id);
  }

  removed(): number[] {
    return [...this.removedIds].sort((a, b) => a - b);
  }

  /** Records the founding members; later inits are ignored (every founder proposes the same). */
  init(members: readonly Member[]): MemberResult {
    if (!this.initializedFlag) {
      this.initializedFlag = true;
      for (const m of members) if (!this.byId.has(m.id)) this.byId.set(m.id, copy(m));
    }
    return { ok: true, members: this.list() };
  }

  add(m: Member): MemberResult {
    const err = this.checkAdd(m);
    if (err !== undefined) return { ok: false, error: err };
    this.byId.set(m.id, copy(m));
    return { ok: true, members: this.list(), member: copy(m) };
  }

  /** The checks of add(), without changing anything (the server runs them before proposing). */
  checkAdd(m: Member): StoreError | undefined {
    if (m.peerUrls.length === 0) return new StoreError('member-bad-urls');
    if (this.removedIds.has(m.id)) return new StoreError('member-not-found', { detail: `member ${m.id.toString(16)} was removed; ids are never reused` });
    // Peer URLs first: ids derive from them, so a repeated add is reported as etcd does.
    for (const other of this.byId.values()) {
      if (other.peerUrls.some((u) => m.peerUrls.includes(u))) return new StoreError('peer-url-exists');
    }
    if (this.byId.has(m.id)) return new StoreError('member-exists');
    return undefined;
  }

  remove(id: number): MemberResult {
    if (!this.byId.has(id)) return { ok: false, error: new StoreError('member-not-found') };
    this.byId.delete(id);
    this.removedIds.add(id);
    return { ok: true, members: this.list() };
  }

  promote(id: number): MemberResult {
    const err = this.checkPromote(id);
    if (err !== undefined) return { ok: false, error: err };
    this.byId.get(id)!.isLearner = false;
    return { ok: true, members: this.list() };
  }

  checkPromote(id: number): StoreError | undefined {
    const m = this.byId.get(id);
    if (m === undefined) return new StoreError('member-not-found');
    if (!m.isLearner) return new StoreError('member-not-learner');
    return undefined;
  }

  /** A running member publishes its name and client URLs; unknown ids are ignored. */
  setAttributes(id: number, name: string, clientUrls: readonly string[]): MemberResult {
    const m = this.byId.get(id);
    if (m !== undefined) {
      m.name = name;
      m.clientUrls = [...clientUrls];
    }
    return { ok: true, members: this.list() };
  }

  /** Replaces the whole table (snapshot restore). */
  restore(initialized: boolean, members: readonly Member[], removed: readonly number[]): void {
    this.initializedFlag = initialized;
    this.byId.clear();
    this.removedIds.clear();
    for (const m of members) this.byId.set(m.id, copy(m));
    for (const id of removed) this.removedIds.add(id);
  }
}
