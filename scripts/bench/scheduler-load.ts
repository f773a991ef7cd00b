// The scheduler benchmark's other process: an API server over MemoryStorage on loopback plus the
// load generator (creates nodes and pods) and the stopwatch (a pod watch that notes when each pod
// first shows a nodeName). The scheduler under test runs in the parent, as it would in its own
// process. Commands arrive over the fork IPC channel; each gets one reply.
import pino from 'pino';
import { performance } from 'node:perf_hooks';
import type { Node, Pod } from '../../api/index.js';
import { ShoalClient } from '../../client/index.js';
import { ApiServer, systemClock } from '../../control-plane/apiserver/index.js';
import { MemoryStorage } from '../../control-plane/apiserver/storage/index.js';

export type LoadCommand =
  | { readonly op: 'nodes'; readonly count: number; readonly zones: number }
  | { readonly op: 'burst'; readonly pods: number; readonly prefix: string; readonly concurrency: number; readonly timeoutMs: number }
  | { readonly op: 'stream'; readonly pods: number; readonly ratePerS: number; readonly prefix: string; readonly timeoutMs: number };

export interface PhaseResult {
  readonly pods: number;
  readonly bound: number;
  readonly seconds: number;
  readonly createSeconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export type LoadReply = { readonly op: 'ready'; readonly address: string } | { readonly op: 'done'; readonly result?: PhaseResult } | { readonly op: 'error'; readonly message: string };

const send = (m: LoadReply): void => {
  process.send?.(m);
};

const quantile = (sorted: readonly number[], q: number): number => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

async function pool<T>(items: readonly T[], concurrency: number, f: (x: T, i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await f(items[i]!, i);
    }
  }));
}

const pod = (name: string, owner: number): Pod =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: `app-${owner}` }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${owner}`, uid: `rs-uid-${owner}`, controller: true }] },
    spec: { containers: [{ name: 'c', image: 'busybox:1', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  }) as unknown as Pod;

async function main(): Promise<void> {
  const storage = new MemoryStorage();
  const server = new ApiServer({ storage, clock: systemClock, log: pino({ level: 'warn' }), options: { processMetrics: false, name: 'bench' } });
  const { grpcPort } = await server.listen({ grpc: '127.0.0.1:0' });
  const address = `127.0.0.1:${grpcPort}`;
  const client = new ShoalClient({ servers: [address] });
  const pods = client.resource<Pod>('pods', 'default');
  // name → create issued (ms); name → bound seen (ms)
  const created = new Map<string, number>();
  const bound = new Map<string, number>();
  let onBound: (() => void) | undefined;
  const watcher = client.informer<Pod>('pods', { namespace: 'default' });
  const seen = (p: Pod): void => {
    const n = p.metadata.name ?? '';
    if (p.spec.nodeName && !bound.has(n)) {
      bound.set(n, performance.now());
      onBound?.();
    }
  };
  watcher.addHandlers({ onAdd: seen, onUpdate: (_o, p) => seen(p) });
  watcher.start();
  await watcher.waitForSync({ timeoutMs: 30_000 });

  const waitBound = (names: readonly string[], timeoutMs: number): Promise<void> =>
    new Promise((resolve) => {
      const deadline = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(deadline);
        onBound = undefined;
        resolve();
      }
      onBound = () => {
        if (bound.size >= created.size && names.every((n) => bound.has(n))) done();
      };
      onBound();
    });

  const summarize = (names: readonly string[], start: number, createEnd: number): PhaseResult => {
    const lat = names.flatMap((n) => (bound.has(n) ? [bound.get(n)! - created.get(n)!] : [])).sort((a, b) => a - b);
    const last = Math.max(...names.map((n) => bound.get(n) ?? -Infinity));
    return {
      pods: names.length,
      bound: lat.length,
      seconds: (last - start) / 1000,
      createSeconds: (createEnd - start) / 1000,
      p50Ms: quantile(lat, 0.5),
      p99Ms: quantile(lat, 0.99),
      maxMs: lat.at(-1) ?? NaN,
    };
  };

  const create = async (name: string, owner: number): Promise<void> => {
    created.set(name, performance.now());
    await pods.create(pod(name, owner));
  };

  process.on('message', (raw) => {
    const cmd = raw as LoadCommand;
    void (async () => {
      switch (cmd.op) {
        case 'nodes': {
          const nodes = client.resource<Node>('nodes', '');
          const names = Array.from({ length: cmd.count }, (_, i) => `node-${String(i).padStart(5, '0')}`);
          await pool(names, 64, async (name, i) => {
            const zone = `zone-${i % cmd.zones}`;
            await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone } }, spec: {} } as Node);
            const allocatable = { cpu: '32', memory: '128Gi', pods: '110' };
            await nodes.patchStatus(name, { status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True' }] } });
          });
          send({ op: 'done' });
          return;
        }
        case 'burst': {
          const names = Array.from({ length: cmd.pods }, (_, i) => `${cmd.prefix}-${i}`);
          const start = performance.now();
          const all = waitBound(names, cmd.timeoutMs);
          await pool(names, cmd.concurrency, (n, i) => create(n, i % 100));
          const createEnd = performance.now();
          await all;
          send({ op: 'done', result: summarize(names, start, createEnd) });
          return;
        }
        case 'stream': {
          const names = Array.from({ length: cmd.pods }, (_, i) => `${cmd.prefix}-${i}`);
          const start = performance.now();
          const all = waitBound(names, cmd.timeoutMs);
          const inflight: Promise<void>[] = [];
          // Open loop: pod i is created at start + i/rate, whatever the server's pace.
          for (const [i, n] of names.entries()) {
            const due = start + (i * 1000) / cmd.ratePerS;
            const wait = due - performance.now();
            if (wait > 1) await new Promise((r) => setTimeout(r, wait));
            inflight.push(create(n, i % 100));
          }
          await Promise.all(inflight);
          const createEnd = performance.now();
          await all;
          send({ op: 'done', result: summarize(names, start, createEnd) });
          return;
        }
      }
    })().catch((e: unknown) => send({ op: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) }));
  });
  process.on('disconnect', () => {
    void (async () => {
      await watcher.stop();
      client.close();
      await server.close();
      process.exit(0);
    })();
  });
  send({ op: 'ready', address });
}

await main();
