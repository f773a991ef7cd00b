// The in-memory twin of EtcdStorage, for unit tests of the layers above. Same rules as the
// Storage contract and etcd's MVCC where they show through it:
// - The empty store is at revision 1 (as etcd); every successful write takes the next revision.
// - History is kept per key until compact(rev): afterwards reads below rev and watches that
//   would start below rev (fromRevision + 1 < rev) fail with 'Compacted' (compactRevision = rev);
//   revision rev itself stays readable, as in etcd.
// - Watch events are delivered asynchronously (microtasks), in revision order, one call per
//   revision; a watch from a past revision replays the kept history first, then goes live,
//   without gap or duplicate.
// Test hooks: compact(), notifyProgress(), breakWatches().
import btreeModule from 'sorted-btree';
import { compareKeys } from './keys.js';
import { checkExpected, checkKey, checkListOptions } from './validate.js';
import { StorageError, StorageErrorCode } from './storage.js';
import type {
  ListOptions,
  ListResult,
  Storage,
  StorageWatch,
  StorageWatchEvent,
  StorageWatchHandlers,
  StoredValue,
} from './storage.js';

const BTree = btreeModule.default;

interface Version {
  readonly revision: number;
  /** null = tombstone (the key was deleted at this revision). */
  readonly value: Uint8Array | null;
  readonly createRevision: number;
}

interface LogEntry {
  readonly revision: number;
  readonly events: readonly StorageWatchEvent[];
}

type Delivery =
  | { readonly kind: 'events'; readonly events: readonly StorageWatchEvent[]; readonly revision: number }
  | { readonly kind: 'progress'; readonly revision: number }
  | { readonly kind: 'error'; readonly error: StorageError };

class MemoryWatch implements StorageWatch {
  private readonly queue: Delivery[] = [];
  private scheduled = false;
  closed = false;

  constructor(
    readonly prefix: string,
    private readonly handlers: StorageWatchHandlers,
    private readonly onClose: (w: MemoryWatch) => void,
    private readonly currentRevision: () => number,
  ) {}

  push(d: Delivery): void {
    if (this.closed) return;
    this.queue.push(d);
    if (d.kind === 'error') {
      this.closed = true;
      this.onClose(this);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    for (let d = this.queue.shift(); d !== undefined; d = this.queue.shift()) {
      switch (d.kind) {
        case 'events':
          if (!this.closed) this.handlers.onEvents(d.events, d.revision);
          break;
        case 'progress':
          if (!this.closed) this.handlers.onProgress?.(d.revision);
          break;
        case 'error':
          this.queue.length = 0;
          this.handlers.onError(d.error);
          return;
      }
    }
  }

  /** Queued behind the pending events, so the revision is truthful when it arrives. */
  requestProgress(): void {
    this.push({ kind: 'progress', revision: this.currentRevision() });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.onClose(this);
  }
}

export class MemoryStorage implements Storage {
  private revision = 1;
  private compactRev = 1;
  private readonly keys = new BTree<string, Version[]>(undefined, compareKeys);
  private log: LogEntry[] = [];
  private readonly watches = new Set<MemoryWatch>();
  private closed = false;

  async get(key: string): Promise<StoredValue | undefined> {
    this.checkOpen();
    checkKey(key);
    return this.live(key, this.revision);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const limit = options.limit ?? 0;
    const requested = options.revision ?? 0;
    checkListOptions(prefix, options);
    if (requested > this.revision) throw futureRevision(requested, this.revision);
    if (requested > 0 && requested < this.compactRev) throw compacted(requested, this.compactRev);
    const at = requested > 0 ? requested : this.revision;
    const items: StoredValue[] = [];
    let count = 0;
    for (const [key] of this.keys.entries(options.startKey ?? prefix)) {
      if (!key.startsWith(prefix)) break;
      const v = this.live(key, at);
      if (v === undefined) continue;
      count++;
      if (limit === 0 || items.length < limit) items.push(v);
    }
    return { items, revision: at, more: count > items.length, remaining: count - items.length };
  }

  async create(key: string, value: Uint8Array): Promise<StoredValue> {
    this.checkOpen();
    checkKey(key);
    if (this.live(key, this.revision) !== undefined) throw new StorageError(StorageErrorCode.AlreadyExists, `key ${key} already exists`);
    const rev = ++this.revision;
    const stored = Uint8Array.from(value);
    this.versionsOf(key).push({ revision: rev, value: stored, createRevision: rev });
    this.emit(rev, [{ type: 'put', key, value: stored, prevValue: undefined, modRevision: rev, createRevision: rev }]);
    return { key, value: stored, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<StoredValue> {
    this.checkOpen();
    const cur = this.expect(key, expectedModRevision);
    const rev = ++this.revision;
    const stored = Uint8Array.from(value);
    this.versionsOf(key).push({ revision: rev, value: stored, createRevision: cur.createRevision });
    this.emit(rev, [{ type: 'put', key, value: stored, prevValue: cur.value, modRevision: rev, createRevision: cur.createRevision }]);
    return { key, value: stored, createRevision: cur.createRevision, modRevision: rev };
  }

  async delete(key: string, expectedModRevision: number): Promise<{ readonly prev: StoredValue; readonly revision: number }> {
    this.checkOpen();
    const cur = this.expect(key, expectedModRevision);
    const rev = ++this.revision;
    this.versionsOf(key).push({ revision: rev, value: null, createRevision: 0 });
    this.emit(rev, [{ type: 'delete', key, value: new Uint8Array(0), prevValue: cur.value, modRevision: rev, createRevision: 0 }]);
    return { prev: cur, revision: rev };
  }

  watch(prefix: string, fromRevision: number, handlers: StorageWatchHandlers): StorageWatch {
    this.checkOpen();
    if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) throw new TypeError(`storage: fromRevision must be an integer >= 0, got ${fromRevision}`);
    const w = new MemoryWatch(prefix, handlers, (x) => this.watches.delete(x), () => this.revision);
    if (fromRevision + 1 < this.compactRev) {
      w.push({ kind: 'error', error: compacted(fromRevision + 1, this.compactRev) });
      return w;
    }
    // Replay and registration happen in one synchronous step: no write can fall between them.
    for (const entry of this.log) {
      if (entry.revision <= fromRevision) continue;
      const events = entry.events.filter((e) => e.key.startsWith(prefix));
      if (events.length > 0) w.push({ kind: 'events', events, revision: entry.revision });
    }
    this.watches.add(w);
    return w;
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compactRev;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watches]) w.push({ kind: 'error', error: new StorageError(StorageErrorCode.Closed, 'storage closed') });
  }

  // --- test hooks ---

  /** Forgets history below rev (etcd's Compact): revision rev stays readable. */
  compact(rev: number): void {
    if (!Number.isSafeInteger(rev) || rev < 1 || rev > this.revision) throw new RangeError(`compact: revision must be 1..${this.revision}, got ${rev}`);
    if (rev <= this.compactRev) return;
    this.compactRev = rev;
    for (const [key, versions] of [...this.keys.entries()]) {
      let keep = 0;
      for (let i = 0; i < versions.length; i++) if ((versions[i] as Version).revision <= rev) keep = i;
      const kept = versions.slice(keep);
      if (kept[0] !== undefined && kept[0].value === null && kept[0].revision <= rev) kept.shift();
      if (kept.length === 0) this.keys.delete(key);
      else this.keys.set(key, kept);
    }
    this.log = this.log.filter((e) => e.revision >= rev);
  }

  /** Puts several keys in one revision (as one etcd txn would): for tests of event grouping. */
  putAll(entries: readonly (readonly [string, Uint8Array])[]): number {
    this.checkOpen();
    if (entries.length === 0) throw new TypeError('putAll: no entries');
    if (new Set(entries.map(([k]) => k)).size !== entries.length) throw new TypeError('putAll: duplicate key (etcd refuses them in one txn)');
    const rev = ++this.revision;
    const events: StorageWatchEvent[] = [];
    for (const [key, value] of entries) {
      checkKey(key);
      const prev = this.live(key, rev - 1);
      const createRevision = prev?.createRevision ?? rev;
      const stored = Uint8Array.from(value);
      this.versionsOf(key).push({ revision: rev, value: stored, createRevision });
      events.push({ type: 'put', key, value: stored, prevValue: prev?.value, modRevision: rev, createRevision });
    }
    this.emit(rev, events);
    return rev;
  }

  /** Sends every watch a progress notification at the current revision. */
  notifyProgress(): void {
    for (const w of this.watches) w.push({ kind: 'progress', revision: this.revision });
  }

  /** Ends every watch with this error (as if the store went away). */
  breakWatches(code: StorageErrorCode = StorageErrorCode.Unavailable): void {
    for (const w of [...this.watches]) w.push({ kind: 'error', error: new StorageError(code, 'watch broken by test', code === StorageErrorCode.Compacted ? this.compactRev : 0) });
  }

  get watchCount(): number {
    return this.watches.size;
  }

  // --- internals ---

  private checkOpen(): void {
    if (this.closed) throw new StorageError(StorageErrorCode.Closed, 'storage closed');
  }

  private versionsOf(key: string): Version[] {
    let v = this.keys.get(key);
    if (v === undefined) {
      v = [];
      this.keys.set(key, v);
    }
    return v;
  }

  /** The key's value at revision `at`, if it existed then. */
  private live(key: string, at: number): StoredValue | undefined {
    const versions = this.keys.get(key);
    if (versions === undefined) return undefined;
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i] as Version;
      if (v.revision > at) continue;
      if (v.value === null) return undefined;
      return { key, value: v.value, createRevision: v.createRevision, modRevision: v.revision };
    }
    return undefined;
  }

  private expect(key: string, expectedModRevision: number): StoredValue {
    checkKey(key);
    checkExpected(expectedModRevision);
    const cur = this.live(key, this.revision);
    if (cur === undefined) throw new StorageError(StorageErrorCode.NotFound, `key ${key} not found`);
    if (cur.modRevision !== expectedModRevision) {
      throw new StorageError(StorageErrorCode.Conflict, `key ${key} is at revision ${cur.modRevision}, not ${expectedModRevision}`);
    }
    return cur;
  }

  private emit(revision: number, events: readonly StorageWatchEvent[]): void {
    this.log.push({ revision, events });
    for (const w of this.watches) {
      const mine = events.filter((e) => e.key.startsWith(w.prefix));
      if (mine.length > 0) w.push({ kind: 'events', events: mine, revision });
    }
  }
}

function compacted(requested: number, compactRev: number): StorageError {
  return new StorageError(StorageErrorCode.Compacted, `revision ${requested} has been compacted (oldest readable: ${compactRev})`, compactRev);
}

function futureRevision(requested: number, current: number): StorageError {
  return new StorageError(StorageErrorCode.Rejected, `revision ${requested} is in the future (current: ${current})`);
}
