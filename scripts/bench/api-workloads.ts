// The workloads of `npm run bench -- api`, through the typed client (client/) against three API
// servers, the same for both stores. Objects are small ConfigMaps. Every loop is bounded in count
// and in time.
import { setMaxListeners } from 'node:events';
import { defaultBackoff, ShoalClient } from '../../client/index.js';
import type { ResourceClient, Watch } from '../../client/index.js';
import type { KubeObject } from '../../api/kind.js';
import type { Throughput } from './store-workloads.js';
import { closedLoop, median, nowMs, percentile } from './store-workloads.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type ConfigMap = KubeObject & { data?: Record<string, string> };

export interface LatencyRun extends Throughput {
  p50: number;
  p99: number;
}

/**
 * One ShoalClient per API server address, each on its own HTTP/2 connection (a local subchannel
 * pool: grpc-js would otherwise share one connection between clients of the same address), no
 * retries (a failure is counted, not hidden).
 */
export function apiClients(addresses: readonly string[]): ShoalClient[] {
  return addresses.map((a) => {
    const c = new ShoalClient({
      servers: [a],
      callTimeoutMs: 10_000,
      retry: { maxAttempts: 1, maxElapsedMs: 0, backoff: defaultBackoff },
      channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
    });
    // every call and watch in flight listens on it: hundreds at once are expected here
    setMaxListeners(0, c.connection.closedSignal);
    return c;
  });
}

export const configMap = (namespace: string, name: string, i = 0): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, labels: { app: 'bench' } },
  data: { index: String(i), payload: 'x'.repeat(64) },
});

const configMaps = (clients: readonly ShoalClient[], namespace: string): ResourceClient<ConfigMap>[] => clients.map((c) => c.resource<ConfigMap>('configmaps', namespace));

export async function createNamespaces(client: ShoalClient, names: readonly string[]): Promise<void> {
  for (const name of names) await client.resource('namespaces', '').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

function withLatency(t: Throughput, lat: number[]): LatencyRun {
  lat.sort((a, b) => a - b);
  return { ...t, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

/** closedLoop (exactly `inFlight` outstanding) with the latency of every successful request. */
async function timedLoop(inFlight: number, durationMs: number, op: (w: number, i: number) => Promise<unknown>): Promise<LatencyRun> {
  const lat: number[] = [];
  const t = await closedLoop(inFlight, durationMs, async (w, i) => {
    const t0 = nowMs();
    await op(w, i);
    lat.push(nowMs() - t0);
  });
  return withLatency(t, lat);
}

/** Creates with `inFlight` outstanding; worker w sends to API server w mod 3. */
export function createLoad(clients: readonly ShoalClient[], namespace: string, inFlight: number, durationMs: number, tag: string): Promise<LatencyRun> {
  const cms = configMaps(clients, namespace);
  return timedLoop(inFlight, durationMs, (w, i) => cms[w % cms.length]!.create(configMap(namespace, `${tag}-${w}-${i}`, i)));
}

export interface RateRun extends LatencyRun {
  /** Requests not sent on time because `maxInFlight` were outstanding. */
  skipped: number;
}

/**
 * Open loop: creates started at `rate` per second (in 5 ms ticks) whatever the answers, round
 * robin over the API servers, at most `maxInFlight` outstanding (the rest are skipped and
 * counted). Latency is from the request's start.
 */
export async function createAtRate(clients: readonly ShoalClient[], namespace: string, rate: number, durationMs: number, maxInFlight: number): Promise<RateRun> {
  const cms = configMaps(clients, namespace);
  const lat: number[] = [];
  let ok = 0;
  let errors = 0;
  let skipped = 0;
  let firstError: string | undefined;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const start = nowMs();
  let sent = 0;
  for (let tick = 0; tick < 1_000_000; tick++) {
    const now = nowMs();
    if (now - start >= durationMs) break;
    const due = Math.floor(((now - start) * rate) / 1000);
    for (; sent < due; sent++) {
      if (inFlight >= maxInFlight) {
        skipped++;
        continue;
      }
      const i = sent;
      inFlight++;
      const t0 = nowMs();
      const p = cms[i % cms.length]!.create(configMap(namespace, `rate-${i}`, i)).then(
        () => {
          ok++;
          lat.push(nowMs() - t0);
        },
        (e: unknown) => {
          errors++;
          firstError ??= (e as Error).message;
        },
      );
      const tracked = p.finally(() => {
        inFlight--;
        pending.delete(tracked);
      });
      pending.add(tracked);
    }
    await sleep(5);
  }
  await Promise.all(pending);
  const elapsed = nowMs() - start;
  return { ...withLatency({ perS: (ok * 1000) / elapsed, ok, errors, firstError }, lat), skipped };
}

/** `n` ConfigMaps named `${prefix}-0..n-1`, `inFlight` at a time; returns them as stored. */
export async function prefill(clients: readonly ShoalClient[], namespace: string, prefix: string, n: number, inFlight: number): Promise<ConfigMap[]> {
  const cms = configMaps(clients, namespace);
  const out: ConfigMap[] = new Array<ConfigMap>(n);
  let next = 0;
  const worker = async (w: number): Promise<void> => {
    for (let k = next++; k < n; k = next++) out[k] = await cms[w % cms.length]!.create(configMap(namespace, `${prefix}-${k}`, k));
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, (_, w) => worker(w)));
  return out;
}

/** Gets of single objects (cycling through `names`), `inFlight` outstanding. */
export function getLoad(clients: readonly ShoalClient[], namespace: string, names: readonly string[], inFlight: number, durationMs: number): Promise<LatencyRun> {
  const cms = configMaps(clients, namespace);
  return timedLoop(inFlight, durationMs, (w, i) => cms[w % cms.length]!.get(names[(w * 7919 + i) % names.length]!));
}

/** Lists of the whole namespace one after the other (API servers in turn), each checked to hold `expect` items. */
export function listLoad(clients: readonly ShoalClient[], namespace: string, expect: number, durationMs: number): Promise<LatencyRun> {
  const cms = configMaps(clients, namespace);
  return timedLoop(1, durationMs, async (_, i) => {
    const l = await cms[i % cms.length]!.list();
    if (l.items.length !== expect) throw new Error(`list returned ${l.items.length} items, expected ${expect}`);
  });
}

/**
 * Compare-and-swap updates with `inFlight` outstanding: worker w owns objects[w] (so CAS conflicts
 * mean a bug, not contention) and sends the object as last stored, with its resourceVersion.
 */
export function updateLoad(clients: readonly ShoalClient[], objects: readonly ConfigMap[], inFlight: number, durationMs: number): Promise<LatencyRun> {
  if (objects.length < inFlight) throw new Error(`updateLoad: ${inFlight} workers need ${inFlight} objects, got ${objects.length}`);
  const namespace = objects[0]?.metadata.namespace ?? '';
  const cms = configMaps(clients, namespace);
  const current = objects.slice(0, inFlight);
  return timedLoop(inFlight, durationMs, async (w, i) => {
    const o = current[w]!;
    current[w] = await cms[w % cms.length]!.update({ ...o, data: { ...o.data, index: `update-${i}` } });
  });
}

export interface FanoutRun {
  /** Per measured round: the update's acknowledgement to the last watcher having the event (ms). */
  rounds: number[];
  /** Per measured round: the acknowledgement to the first watcher having it (negative: before the ack). */
  firstRounds: number[];
  medianMs: number;
  watchers: number;
  channels: number;
}

/**
 * `watchers` watches of one namespace's ConfigMaps from the revision of its one object,
 * spread round robin over `channelsPerServer` connections to each API server. A first update
 * (not measured) shows every watch is established; then `rounds` updates, one at a time, each
 * timed from its acknowledgement to the moment the last watcher has its event.
 */
export async function watchFanout(
  addresses: readonly string[],
  writer: ShoalClient,
  namespace: string,
  watchers: number,
  channelsPerServer: number,
  rounds: number,
  log: (msg: string) => void,
): Promise<FanoutRun> {
  const cms = writer.resource<ConfigMap>('configmaps', namespace);
  let target = await cms.create(configMap(namespace, 'target'));
  const channels = apiClients(Array.from({ length: channelsPerServer }, () => addresses).flat());
  // revision -> how many watchers have it and when the last one got it
  const seen = new Map<string, { count: number; first: number; last: number }>();
  let waiting: { rv: string; resolve: () => void } | undefined;
  const watches: Watch<ConfigMap>[] = [];
  const consumers: Promise<void>[] = [];
  let broken: string | undefined;
  try {
    for (let i = 0; i < watchers; i++) {
      const w = channels[i % channels.length]!.resource<ConfigMap>('configmaps', namespace).watch({ resourceVersion: target.metadata.resourceVersion ?? '', allowBookmarks: false, resume: false });
      watches.push(w);
      consumers.push(
        (async () => {
          for await (const ev of w) {
            if (ev.type !== 'MODIFIED') continue;
            const t = nowMs();
            const s = seen.get(ev.resourceVersion) ?? { count: 0, first: t, last: t };
            s.count++;
            s.last = t;
            seen.set(ev.resourceVersion, s);
            if (s.count === watchers && waiting?.rv === ev.resourceVersion) waiting.resolve();
          }
        })().catch((e: unknown) => {
          broken ??= (e as Error).message;
        }),
      );
    }
    const round = async (r: number, timeoutMs: number): Promise<{ last: number; first: number }> => {
      let resolve!: () => void;
      const all = new Promise<void>((res) => (resolve = res));
      const sentAt = nowMs();
      target = await cms.update({ ...target, data: { ...target.data, index: `round-${r}` } });
      const ackAt = nowMs();
      const rv = target.metadata.resourceVersion ?? '';
      waiting = { rv, resolve };
      if ((seen.get(rv)?.count ?? 0) === watchers) resolve();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r2) => (timer = setTimeout(() => r2(true), timeoutMs)))]);
      clearTimeout(timer);
      const s = seen.get(rv);
      if (timedOut || s === undefined) throw new Error(`watch fan-out: ${s?.count ?? 0} of ${watchers} watchers had the update ${timeoutMs} ms after it was sent${broken ? ` (a watch ended: ${broken})` : ''}`);
      seen.delete(rv);
      if (sentAt > s.first) throw new Error('watch fan-out: an event arrived before its update was sent');
      return { last: s.last - ackAt, first: s.first - ackAt };
    };
    const t0 = nowMs();
    await round(0, 60_000);
    log(`${watchers} watchers on ${channels.length} connections established in ${((nowMs() - t0) / 1000).toFixed(1)} s`);
    const out: { last: number; first: number }[] = [];
    for (let r = 1; r <= rounds; r++) {
      await sleep(200);
      out.push(await round(r, 30_000));
    }
    const last = out.map((o) => o.last);
    return { rounds: last, firstRounds: out.map((o) => o.first), medianMs: median(last), watchers, channels: channels.length };
  } finally {
    for (const w of watches) w.close();
    await Promise.race([Promise.all(consumers), sleep(5000)]);
    for (const c of channels) c.close();
  }
}
