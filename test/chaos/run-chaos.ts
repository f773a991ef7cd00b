// One chaos run against any Cluster: workload + nemesis + resuming watcher for a while, then heal,
// read every key once more, and check the whole history for linearizability and the watch stream
// for gaps and duplicates.
//
// The cluster is started and stopped by the caller; this only needs its members' client URLs and
// the fault operations, so pointing it at another store means only starting another Cluster.
import { Etcd3 } from 'etcd3';
import { noop } from 'cockatiel';
import { checkHistory, HistoryRecorder } from '../linearizability/index.js';
import type { CheckOptions, CheckResult, Operation } from '../linearizability/index.js';
import type { Cluster } from './cluster.js';
import { errorMessage } from './etcd-errors.js';
import { Nemesis } from './nemesis.js';
import type { NemesisAction, NemesisOptions } from './nemesis.js';
import { ResumingWatcher } from './resuming-watcher.js';
import { summarize } from './summary.js';
import { checkWatch } from './watch-check.js';
import type { WatchCheckResult } from './watch-check.js';
import { runWorkload } from './workload.js';

export interface ChaosOptions {
  /** Started by the caller. */
  readonly cluster: Cluster;
  /** Shown in the summary, e.g. "etcd 3.4". */
  readonly label: string;
  readonly durationMs: number;
  /** Default 8. */
  readonly clients?: number;
  /** Default 8. */
  readonly keys?: number;
  /** Default "/chaos/". */
  readonly prefix?: string;
  /** Default 1. */
  readonly seed?: number;
  /** Default 1000 ms. */
  readonly requestTimeoutMs?: number;
  /** Serializable instead of linearizable reads in the workload (a negative control). Default false. */
  readonly serializableReads?: boolean;
  readonly nemesis?: Pick<NemesisOptions, 'intervalMs' | 'pauseMs' | 'maxFaulty' | 'weights'>;
  /** Bound on each wait after the run (leader, final reads, watchers catching up). Default 30 s. */
  readonly settleTimeoutMs?: number;
  readonly checker?: CheckOptions;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface ChaosReport {
  readonly history: readonly Operation[];
  readonly nemesis: readonly NemesisAction[];
  readonly linearizability: CheckResult;
  readonly checkerMs: number;
  readonly watch: WatchCheckResult;
  readonly startRevision: number;
  readonly finalRevision: number;
  readonly summary: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** etcd's range_end for "every key with this prefix": the prefix's bytes with the last one below 0xff incremented. */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if ((b[i] as number) < 0xff) {
      b[i] = (b[i] as number) + 1;
      return b.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // every key
}

/** Calls f until it succeeds, each try with its own deadline, for at most `totalMs`. */
async function untilOk<T>(what: string, totalMs: number, f: (deadline: number) => Promise<T>, log?: (l: string) => void): Promise<T> {
  const end = performance.now() + totalMs;
  let last: unknown = null;
  for (let attempt = 1; performance.now() < end; attempt++) {
    try {
      return await f(Date.now() + 2000);
    } catch (e) {
      last = e;
      if (attempt % 10 === 1) log?.(`${what}: attempt ${attempt} failed: ${errorMessage(e)}`);
      await sleep(200);
    }
  }
  throw new Error(`${what}: no success within ${totalMs} ms; last error: ${errorMessage(last)}`);
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const clients = o.clients ?? 8;
  const keyCount = o.keys ?? 8;
  const prefix = o.prefix ?? '/chaos/';
  const seed = o.seed ?? 1;
  const requestTimeoutMs = o.requestTimeoutMs ?? 1000;
  const settle = o.settleTimeoutMs ?? 30_000;
  const log = o.log ?? (() => {});
  const keys = Array.from({ length: keyCount }, (_, i) => `${prefix}k${i}`);
  const end = prefixEnd(prefix);
  const endpoints = o.cluster.members().map((m) => m.clientUrl);
  const admin = new Etcd3({ hosts: endpoints, faultHandling: { host: () => noop, global: noop } });
  const watchers: ResumingWatcher[] = [];
  try {
    const revisionNow = async (): Promise<number> =>
      Number((await untilOk('revision', settle, (deadline) => admin.kv.range({ key: Buffer.from(prefix), range_end: end, count_only: true }, { deadline }), log)).header.revision);
    const startRevision = await revisionNow();

    // The watcher starts on the leader, the member the nemesis kills most often, so that its
    // resuming is exercised early; it moves to the next member on every failure.
    const leaderName = await o.cluster.leader();
    const leaderUrl = o.cluster.members().find((m) => m.name === leaderName)?.clientUrl;
    const watchOrder = leaderUrl === undefined ? endpoints : [leaderUrl, ...endpoints.filter((u) => u !== leaderUrl)];
    const watcher = new ResumingWatcher({ endpoints: watchOrder, key: prefix, rangeEnd: end, startRevision: startRevision + 1, log });
    watchers.push(watcher);
    watcher.start();

    const recorder = new HistoryRecorder();
    const nemesis = new Nemesis({ cluster: o.cluster, seed, ...o.nemesis, log: (l) => log(`nemesis ${l}`) });
    const t0 = performance.now();
    nemesis.start();
    let workload: Awaited<ReturnType<typeof runWorkload>>;
    try {
      workload = await runWorkload({ endpoints, clients, keys, durationMs: o.durationMs, seed, recorder, requestTimeoutMs, serializableReads: o.serializableReads ?? false, ...(o.signal === undefined ? {} : { signal: o.signal }) });
    } finally {
      await nemesis.stop();
    }
    const durationMs = performance.now() - t0;
    log(`workload done: ${recorder.size} operations in ${Math.round(durationMs)} ms; healing`);
    await nemesis.heal();
    await untilOk('leader after healing', settle, async () => {
      const l = await o.cluster.leader();
      if (l === null) throw new Error('no leader');
      return l;
    });

    // Every key read once more: the checker then proves each acknowledged write is still there
    // (or was overwritten or deleted by a later operation).
    const finalClient = clients;
    for (const key of keys) {
      await untilOk(`final read of ${key}`, settle, async (deadline) => {
        const op = recorder.invoke(finalClient, key, { kind: 'read' });
        try {
          const r = await admin.kv.range({ key: Buffer.from(key) }, { deadline });
          const kv = r.kvs[0];
          op.ok({ kind: 'read', value: kv === undefined ? null : kv.value.toString() });
        } catch (e) {
          op.fail(errorMessage(e));
          throw e;
        }
      });
    }
    const finalRevision = await revisionNow();

    if (!(await watcher.waitFor(finalRevision, settle))) log(`watcher stuck at revision ${watcher.lastRevision} of ${finalRevision}`);
    await watcher.stop();
    const reference = new ResumingWatcher({ endpoints, key: prefix, rangeEnd: end, startRevision: startRevision + 1, log: (l) => log(`reference ${l}`) });
    watchers.push(reference);
    reference.start();
    if (!(await reference.waitFor(finalRevision, settle))) log(`reference watch stuck at revision ${reference.lastRevision} of ${finalRevision}`);
    await reference.stop();

    const history = recorder.operations();
    const c0 = performance.now();
    const linearizability = checkHistory(history, o.checker);
    const checkerMs = performance.now() - c0;
    const watch = checkWatch({
      observed: watcher.events,
      reference: reference.events,
      acknowledged: workload.changes,
      notApplied: history.flatMap((op) =>
        op.completion.type === 'fail' && (op.input.kind === 'write' || op.input.kind === 'cas') ? [{ key: op.key, value: op.input.value, opId: op.id }] : [],
      ),
      fromRevision: startRevision + 1,
      toRevision: finalRevision,
      anomalies: watcher.anomalies,
    });
    const summary = summarize({
      label: o.label,
      durationMs,
      clients,
      keys: keyCount,
      seed,
      requestTimeoutMs,
      history,
      finalClient,
      nemesis: nemesis.actions,
      linearizability,
      checkerMs,
      watch,
      watchResumes: watcher.resumes,
      storedValues: new Set(reference.events.flatMap((e) => (e.value === null ? [] : [e.value]))),
      startRevision,
      finalRevision,
    });
    return { history, nemesis: nemesis.actions, linearizability, checkerMs, watch, startRevision, finalRevision, summary };
  } finally {
    for (const w of watchers) await w.stop();
    admin.close();
  }
}
