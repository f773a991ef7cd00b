// The workloads of `npm run bench -- store`, written once against the npm `etcd3` client and run
// unchanged against Shoal and etcd. Every loop is bounded in count and in time.
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import type { LocalStoreCluster } from './store-cluster.js';
import { clientOptions } from './store-client.js';

/** Monotonic milliseconds from process.hrtime. */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface WorkloadSettings {
  valueBytes: number;
  /** Distinct keys the throughput workloads cycle through (keeps the state small). */
  keys: number;
  seqPuts: number;
  durationMs: number;
  inFlight: number;
  watchEvents: number;
  /** Deadline of each request while measuring failover. */
  failoverDeadlineMs: number;
  /** Deadline of each request in the other workloads. */
  deadlineMs: number;
}

const keyName = (prefix: string, i: number): string => `${prefix}${String(i).padStart(6, '0')}`;

export interface Latency {
  p50: number;
  p99: number;
  n: number;
}

/** `n` puts one after the other through one client; ms per acknowledged put. */
export async function sequentialPuts(client: Etcd3, n: number, value: Buffer, keys: number): Promise<Latency> {
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = nowMs();
    await client.put(keyName('bench/seq/', i % keys)).value(value);
    lat.push(nowMs() - t0);
  }
  lat.sort((a, b) => a - b);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), n: lat.length };
}

export interface Throughput {
  perS: number;
  ok: number;
  errors: number;
  /** The first error's message, to tell what failed. */
  firstError: string | undefined;
}

/**
 * Exactly `inFlight` requests outstanding for `durationMs` (closed loop); requests still open at
 * the end are waited for and counted. `op(worker, i)` issues one request.
 */
export async function closedLoop(inFlight: number, durationMs: number, op: (w: number, i: number) => Promise<unknown>): Promise<Throughput> {
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = nowMs();
  const end = start + durationMs;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; i < 10_000_000 && nowMs() < end; i++) {
      try {
        await op(w, i);
        ok++;
      } catch (e) {
        errors++;
        firstError ??= (e as Error).message;
        // a failing server would otherwise be hammered in a tight loop
        await sleep(1);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
  const elapsed = nowMs() - start;
  return { perS: (ok * 1000) / elapsed, ok, errors, firstError };
}

/** Writes every key the put and get loads use once, `inFlight` at a time. */
export async function prefill(client: Etcd3, s: WorkloadSettings, value: Buffer): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let k = next++; k < s.keys; k = next++) await client.put(keyName('bench/kv/', k)).value(value);
  };
  await Promise.all(Array.from({ length: Math.min(s.inFlight, s.keys) }, worker));
}

export const putLoad = (client: Etcd3, s: WorkloadSettings, value: Buffer, durationMs: number): Promise<Throughput> =>
  closedLoop(s.inFlight, durationMs, (w, i) => client.put(keyName('bench/kv/', (w * 7919 + i) % s.keys)).value(value).exec());

/** Linearizable (the client's default) single-key gets of keys `prefill` wrote. */
export const getLoad = (client: Etcd3, s: WorkloadSettings, durationMs: number): Promise<Throughput> =>
  closedLoop(s.inFlight, durationMs, async (w, i) => {
    const v = await client.get(keyName('bench/kv/', (w * 7919 + i) % s.keys)).buffer();
    if (v === null) throw new Error('missing key');
  });

export interface WatchLatency extends Latency {
  /** Events that arrived before the put was acknowledged (counted as 0 ms). */
  early: number;
  lost: number;
  /** Why the workload stopped early, if it did. */
  failure: string | undefined;
}

/** Rejects after `ms` unless `p` settles first. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

/**
 * A watcher on its own connection to `watchUrl` and a writer on `writeUrl`; for each of `n` puts
 * one after the other, the time from the put's acknowledgement to the watcher receiving its
 * event (0 when the event came first).
 */
export async function watchLatency(writeUrl: string, watchUrl: string, s: WorkloadSettings, value: Buffer): Promise<WatchLatency> {
  const writer = new Etcd3(clientOptions([writeUrl], s.deadlineMs));
  const watchClient = new Etcd3(clientOptions([watchUrl], s.deadlineMs));
  const prefix = 'bench/watch/';
  const seen = new Map<string, number>();
  let waiting: { key: string; resolve: () => void } | undefined;
  const lat: number[] = [];
  let early = 0;
  let lost = 0;
  let failure: string | undefined;
  try {
    const watcher = await within(watchClient.watch().prefix(prefix).create(), 10_000, 'creating the watch');
    watcher.on('put', (kv) => {
      const key = kv.key.toString();
      seen.set(key, nowMs());
      if (waiting?.key === key) waiting.resolve();
    });
    for (let i = 0; i < s.watchEvents; i++) {
      const key = keyName(prefix, i);
      const event = new Promise<void>((resolve) => {
        waiting = { key, resolve };
      });
      await writer.put(key).value(value);
      const acked = nowMs();
      const timeout = new Promise<'timeout'>((r) => {
        const t = setTimeout(() => r('timeout'), 5000);
        void event.then(() => clearTimeout(t));
      });
      if ((await Promise.race([event, timeout])) === 'timeout') {
        lost++;
        if (lost >= 5) {
          failure = `${lost} events did not arrive within 5 s`;
          break;
        }
        continue;
      }
      const got = seen.get(key)!;
      seen.delete(key);
      if (got < acked) early++;
      lat.push(Math.max(0, got - acked));
    }
    await within(watcher.cancel(), 5000, 'cancelling the watch').catch(() => undefined);
  } catch (e) {
    failure = (e as Error).message;
  } finally {
    writer.close();
    watchClient.close();
  }
  lat.sort((a, b) => a - b);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), n: lat.length, early, lost, failure };
}

export interface FailoverRun {
  gapMs: number;
  killedLeader: number;
  failedAttempts: number;
}

/**
 * `writersPerMember` writers per member, each with its own client and connection, each writing
 * one key after another with a short deadline and retrying at once on failure (several per member
 * so that a 100 ms deadline does not make the figure coarser than the server). After `warmMs` the
 * leader is killed with SIGKILL; the gap runs from the last write acknowledged before the kill to
 * the first acknowledgement of a write sent after it, from any member.
 */
export async function failover(cluster: LocalStoreCluster, s: WorkloadSettings, value: Buffer, round: number, writersPerMember = 4, warmMs = 1000): Promise<FailoverRun> {
  const leader = await cluster.leader(30_000);
  const writers = cluster.ids().flatMap((id) =>
    Array.from({ length: writersPerMember }, (_, n) => ({ id, n, client: new Etcd3(clientOptions([cluster.clientUrl(id)], s.failoverDeadlineMs)) })),
  );
  let killAt = Infinity;
  let lastBefore = -Infinity;
  let firstAfter = Infinity;
  let failedAttempts = 0;
  let stop = false;
  const hardEnd = nowMs() + warmMs + 40_000;
  const write = async ({ id, n, client }: (typeof writers)[number]): Promise<void> => {
    for (let i = 0; i < 1_000_000 && !stop && nowMs() < hardEnd; i++) {
      if (id === leader && nowMs() >= killAt) return;
      const sent = nowMs();
      try {
        await client.put(`bench/failover/${round}/${id}/${n}`).value(value);
        const t = nowMs();
        // An answer to a write sent before the kill may have left the server before it died:
        // such writes count for "before" only (when answered before the kill).
        if (t <= killAt) lastBefore = Math.max(lastBefore, t);
        else if (sent > killAt && t < firstAfter) {
          firstAfter = t;
          stop = true;
        }
      } catch {
        failedAttempts++;
        // the dead member refuses at once; its writers end instead of spinning
        if (id === leader && nowMs() >= killAt) return;
      }
    }
  };
  try {
    const running = Promise.all(writers.map(write));
    await sleep(warmMs);
    // a slow cluster gets up to 10 s more to acknowledge a first write before the kill
    for (let i = 0; i < 200 && lastBefore === -Infinity; i++) await sleep(50);
    if (lastBefore === -Infinity) throw new Error(`${cluster.system}: no write acknowledged within ${warmMs + 10_000} ms before the kill`);
    killAt = nowMs();
    await cluster.kill(leader, 'SIGKILL');
    await running;
  } finally {
    stop = true;
    for (const w of writers) w.client.close();
  }
  if (firstAfter === Infinity) throw new Error(`${cluster.system}: no write acknowledged within 30 s of killing the leader`);
  return { gapMs: firstAfter - lastBefore, killedLeader: leader, failedAttempts };
}

export const randomValue = (bytes: number): Buffer => randomBytes(bytes);
