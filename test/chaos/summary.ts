// The text a chaos run prints: operations by kind and outcome, the nemesis log, the checker's
// verdict and speed, and the watch check.
import type { CheckResult, Operation, OpKind } from '../linearizability/index.js';
import { describeResult } from '../linearizability/index.js';
import type { NemesisAction } from './nemesis.js';
import { describeNemesisAction } from './nemesis.js';
import type { WatchCheckResult } from './watch-check.js';

export interface SummaryInput {
  readonly label: string;
  readonly durationMs: number;
  readonly clients: number;
  readonly keys: number;
  readonly seed: number;
  readonly requestTimeoutMs: number;
  readonly history: readonly Operation[];
  /** Client id of the final reads made after healing. */
  readonly finalClient: number;
  readonly nemesis: readonly NemesisAction[];
  readonly linearizability: CheckResult;
  readonly checkerMs: number;
  readonly watch: WatchCheckResult;
  readonly watchResumes: number;
  /** Every value the store ever held during the run (from the reference watch). */
  readonly storedValues: ReadonlySet<string>;
  readonly startRevision: number;
  readonly finalRevision: number;
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const pad = (s: string | number, w: number): string => (typeof s === 'number' ? fmt(s) : s).padStart(w);

export function summarize(s: SummaryInput): string {
  const lines: string[] = [];
  const seconds = s.durationMs / 1000;
  const workload = s.history.filter((o) => o.client !== s.finalClient);
  lines.push(`== chaos: ${s.label}, ${seconds.toFixed(1)} s, ${s.clients} clients, ${s.keys} keys, seed ${s.seed}, request deadline ${s.requestTimeoutMs} ms`);
  lines.push(`operations: ${fmt(workload.length)} (${fmt(Math.round(workload.length / seconds))}/s), plus ${s.history.length - workload.length} final reads after healing`);
  lines.push(`  ${'kind'.padEnd(7)}${pad('total', 9)}${pad('ok', 9)}${pad('fail', 8)}${pad('info', 7)}   results of ok`);
  const kinds: OpKind[] = ['read', 'write', 'cas', 'delete'];
  for (const kind of kinds) {
    const ops = workload.filter((o) => o.input.kind === kind);
    const ok = ops.filter((o) => o.completion.type === 'ok');
    const fail = ops.filter((o) => o.completion.type === 'fail').length;
    const info = ops.filter((o) => o.completion.type === 'info').length;
    let results = '';
    if (kind === 'cas') {
      const succeeded = ok.filter((o) => o.completion.type === 'ok' && o.completion.output.kind === 'cas' && o.completion.output.succeeded).length;
      results = `succeeded ${fmt(succeeded)}, failed ${fmt(ok.length - succeeded)}`;
    } else if (kind === 'delete') {
      const deleted = ok.filter((o) => o.completion.type === 'ok' && o.completion.output.kind === 'delete' && o.completion.output.deleted).length;
      results = `deleted ${fmt(deleted)}, not found ${fmt(ok.length - deleted)}`;
    } else if (kind === 'read') {
      const absent = ok.filter((o) => o.completion.type === 'ok' && o.completion.output.kind === 'read' && o.completion.output.value === null).length;
      results = `absent ${fmt(absent)}`;
    }
    lines.push(`  ${kind.padEnd(7)}${pad(ops.length, 9)}${pad(ok.length, 9)}${pad(fail, 8)}${pad(info, 7)}   ${results}`);
  }
  const uncertain = workload.filter((o) => o.completion.type === 'info' && (o.input.kind === 'write' || o.input.kind === 'cas'));
  const applied = uncertain.filter((o) => (o.input.kind === 'write' || o.input.kind === 'cas') && s.storedValues.has(o.input.value)).length;
  lines.push(`  indeterminate writes and cas: ${fmt(applied)} of ${fmt(uncertain.length)} took effect (their value is in the store's history)`);
  const acked = workload
    .filter((o) => o.completion.type === 'ok' && o.input.kind !== 'read')
    .map((o) => (o.completion.type === 'ok' ? o.completion.at : 0n))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const first = workload[0]?.invokedAt;
  if (first !== undefined && acked.length > 1) {
    let gap = 0n;
    let at = 0n;
    for (let i = 1; i < acked.length; i++) {
      const d = (acked[i] as bigint) - (acked[i - 1] as bigint);
      if (d > gap) [gap, at] = [d, (acked[i - 1] as bigint) - first];
    }
    lines.push(`  longest time without a write, cas or delete completing: ${fmt(Math.round(Number(gap) / 1e6))} ms (from +${(Number(at) / 1e9).toFixed(1)}s)`);
  }
  const causes = new Map<string, number>();
  for (const o of workload) {
    if (o.completion.type === 'ok') continue;
    const why = `${o.completion.type} ${o.input.kind === 'read' ? 'read' : 'write'}: ${o.completion.error.replace(/127\.0\.0\.1:\d+/g, '<member>').replace(/\d+\.\d+s/g, '<t>s').slice(0, 110)}`;
    causes.set(why, (causes.get(why) ?? 0) + 1);
  }
  if (causes.size > 0) {
    lines.push('  errors:');
    for (const [why, n] of [...causes].sort((a, b) => b[1] - a[1]).slice(0, 8)) lines.push(`  ${pad(n, 7)} ${why}`);
  }

  const count = (k: string, leader?: boolean): number => s.nemesis.filter((a) => a.kind === k && (leader === undefined || a.wasLeader === leader)).length;
  lines.push(
    `nemesis: ${s.nemesis.length} actions: kill ${count('kill')} (leader ${count('kill', true)}), pause ${count('pause')} (leader ${count('pause', true)}), ` +
      `resume ${count('resume')}, restart ${count('restart')}, none ${count('none')}`,
  );
  for (const a of s.nemesis) lines.push(`  ${describeNemesisAction(a)}`);

  const checked = s.linearizability.keys.reduce((a, k) => a + k.operations, 0);
  const indeterminate = s.linearizability.keys.reduce((a, k) => a + k.indeterminate, 0);
  const steps = s.linearizability.keys.reduce((a, k) => a + k.steps, 0);
  const cache = s.linearizability.keys.reduce((a, k) => a + k.cacheEntries, 0);
  lines.push(
    `linearizability: ${s.linearizability.verdict}; ${fmt(checked)} operations searched (${fmt(indeterminate)} indeterminate) of ${fmt(s.history.length)} recorded, ` +
      `in ${fmt(Math.round(s.checkerMs))} ms = ${fmt(Math.round(s.history.length / Math.max(s.checkerMs, 1e-3) * 1000))} ops/s; ` +
      `${fmt(steps)} search steps, ${fmt(cache)} cache entries, ${s.linearizability.keys.length} keys`,
  );
  if (!s.linearizability.ok) lines.push(describeResult(s.linearizability, s.history[0]?.invokedAt ?? 0n).replace(/^/gm, '  '));

  lines.push(
    `watch: ${s.watch.ok ? 'ok' : 'FAILED'}; revisions ${s.startRevision + 1}..${s.finalRevision}, watcher saw ${fmt(s.watch.observedEvents)} events ` +
      `(reference ${fmt(s.watch.referenceEvents)}), resumed ${s.watchResumes} times; ${fmt(s.watch.acknowledged)} acknowledged changes checked`,
  );
  for (const p of s.watch.problems) lines.push(`  ${p}`);
  return lines.join('\n');
}
