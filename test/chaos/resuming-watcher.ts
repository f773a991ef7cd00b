// A watcher that survives member failures the way a careful client must: whenever its stream
// breaks, stalls or is cancelled, it opens a new one on the next endpoint with
// start_revision = last seen revision + 1. It records every event it receives, in order, and
// notes on the fly any event that goes backwards (an out-of-order or duplicate delivery).
import { Etcd3 } from 'etcd3';
import type { IWatchResponse } from 'etcd3';
import { noop } from 'cockatiel';
import type { KvValue } from '../linearizability/index.js';
import { errorMessage } from './etcd-errors.js';

export interface WatchedEvent {
  readonly revision: number;
  readonly type: 'put' | 'delete';
  readonly key: string;
  /** null for a delete. */
  readonly value: KvValue;
}

export interface ResumingWatcherOptions {
  readonly endpoints: readonly string[];
  /** Watches [key, rangeEnd). */
  readonly key: string;
  readonly rangeEnd: Buffer;
  /** The first revision wanted. */
  readonly startRevision: number;
  /** Wait before reopening a broken stream; default 50 ms. */
  readonly reconnectDelayMs?: number;
  /** While waitFor() waits, a stream silent for this long is reopened elsewhere; default 3000 ms. */
  readonly stallMs?: number;
  /** Bound on streams opened; reaching it stops the watcher with an anomaly. Default 10,000. */
  readonly maxStreams?: number;
  readonly log?: (line: string) => void;
}

interface Stream {
  write(req: unknown): void;
  end(): void;
  on(event: string, fn: (arg: never) => void): unknown;
  cancel?: () => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ResumingWatcher {
  readonly events: WatchedEvent[] = [];
  /** Violations seen while receiving: events at or below the last revision for the same key. */
  readonly anomalies: string[] = [];
  #lastRevision: number;
  #streams = 0;
  #lastMessageAt = 0;
  #stopped = false;
  #current: Stream | null = null;
  #connecting = false;
  readonly #clients: Etcd3[];
  readonly #o: ResumingWatcherOptions;
  #lastKeysAtRevision = new Set<string>();

  constructor(o: ResumingWatcherOptions) {
    if (o.endpoints.length === 0) throw new Error('watcher: no endpoints');
    if (!(o.startRevision >= 1)) throw new Error(`watcher: startRevision must be >= 1, got ${o.startRevision}`);
    this.#o = o;
    this.#lastRevision = o.startRevision - 1;
    this.#clients = o.endpoints.map((h) => new Etcd3({ hosts: [h], faultHandling: { host: () => noop, global: noop } }));
  }

  get lastRevision(): number {
    return this.#lastRevision;
  }

  /** Streams opened after the first: how often the watcher had to resume. */
  get resumes(): number {
    return Math.max(0, this.#streams - 1);
  }

  start(): void {
    void this.#open();
  }

  /** True once every revision up to `revision` has been received; false after `timeoutMs`. */
  async waitFor(revision: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    const stall = this.#o.stallMs ?? 3000;
    while (this.#lastRevision < revision) {
      if (this.#stopped || performance.now() > deadline) return false;
      if (performance.now() - this.#lastMessageAt > stall && !this.#connecting) {
        this.#o.log?.(`watch: no message for ${stall} ms at revision ${this.#lastRevision}; reopening`);
        this.#lastMessageAt = performance.now();
        this.#drop(this.#current);
      }
      await sleep(20);
    }
    return true;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const s = this.#current;
    this.#current = null;
    if (s !== null) {
      try {
        s.cancel?.();
        s.end();
      } catch {
        // already closed
      }
    }
    for (const c of this.#clients) c.close();
  }

  async #open(): Promise<void> {
    if (this.#stopped) return;
    if (this.#streams >= (this.#o.maxStreams ?? 10_000)) {
      this.anomalies.push(`gave up after ${this.#streams} streams`);
      this.#stopped = true;
      return;
    }
    this.#connecting = true;
    const client = this.#clients[this.#streams % this.#clients.length] as Etcd3;
    const endpoint = this.#o.endpoints[this.#streams % this.#clients.length];
    this.#streams++;
    const from = this.#lastRevision + 1;
    let stream: Stream;
    try {
      stream = (await client.watchClient.watch()) as unknown as Stream;
    } catch (e) {
      this.#connecting = false;
      this.#o.log?.(`watch: opening on ${endpoint} failed: ${errorMessage(e)}`);
      await sleep(this.#o.reconnectDelayMs ?? 50);
      void this.#open();
      return;
    }
    if (this.#stopped) {
      stream.end();
      this.#connecting = false;
      return;
    }
    this.#current = stream;
    this.#lastMessageAt = performance.now();
    stream.on('data', (res: never) => this.#onResponse(stream, res as IWatchResponse));
    const broken = (why: string) => (arg: never): void => {
      if (this.#current !== stream) return;
      this.#o.log?.(`watch: stream on ${endpoint} ${why}${arg === undefined ? '' : `: ${errorMessage(arg)}`}; resuming from ${this.#lastRevision + 1}`);
      this.#drop(stream);
    };
    stream.on('error', broken('failed'));
    stream.on('end', broken('ended'));
    stream.write({
      create_request: {
        key: Buffer.from(this.#o.key),
        range_end: this.#o.rangeEnd,
        start_revision: String(from),
      },
    });
    this.#connecting = false;
  }

  /** Abandons a stream (if still current) and opens the next one after a short delay. */
  #drop(stream: Stream | null): void {
    if (stream === null || this.#current !== stream) return;
    this.#current = null;
    try {
      stream.cancel?.();
    } catch {
      // already closed
    }
    this.#connecting = true;
    void sleep(this.#o.reconnectDelayMs ?? 50).then(() => {
      this.#connecting = false;
      return this.#open();
    });
  }

  #onResponse(stream: Stream, res: IWatchResponse): void {
    if (this.#current !== stream) return; // late data from an abandoned stream is ignored
    this.#lastMessageAt = performance.now();
    if (res.canceled) {
      if (res.compact_revision !== undefined && res.compact_revision !== '0') {
        this.anomalies.push(`revision ${this.#lastRevision + 1} compacted (compact_revision ${res.compact_revision}); cannot resume`);
        void this.stop();
        return;
      }
      this.#o.log?.(`watch: cancelled by the server (${res.cancel_reason}); resuming`);
      this.#drop(stream);
      return;
    }
    for (const ev of res.events) {
      const revision = Number(ev.kv.mod_revision);
      const key = ev.kv.key.toString();
      if (revision < this.#lastRevision || (revision === this.#lastRevision && this.#lastKeysAtRevision.has(key))) {
        this.anomalies.push(`event ${key}@${revision} after revision ${this.#lastRevision}`);
      }
      if (revision > this.#lastRevision) this.#lastKeysAtRevision = new Set();
      this.#lastKeysAtRevision.add(key);
      this.#lastRevision = Math.max(this.#lastRevision, revision);
      this.events.push({
        revision,
        type: ev.type === 'Delete' ? 'delete' : 'put',
        key,
        value: ev.type === 'Delete' ? null : ev.kv.value.toString(),
      });
    }
  }
}
