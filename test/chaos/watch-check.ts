// Did the resuming watcher see every change exactly once, in order, across the faults?
//
// Compared against two independent accounts of what happened:
// - the reference: a fresh watch from the same start revision, read after healing;
// - the acknowledged changes: every write, successful cas and effective delete the workload saw
//   acknowledged, each with the revision etcd answered.
// Every revision in [fromRevision, toRevision] must appear in the reference (only the workload
// writes), the watcher's events must equal the reference's one for one, and every acknowledged
// change must appear exactly once with its revision, key and value. And no value from a write
// recorded as certainly not applied may appear anywhere: that would prove the error rule wrong.
import type { AcknowledgedChange } from './workload.js';
import type { WatchedEvent } from './resuming-watcher.js';

export interface WatchCheckInput {
  readonly observed: readonly WatchedEvent[];
  readonly reference: readonly WatchedEvent[];
  readonly acknowledged: readonly AcknowledgedChange[];
  /** Writes and cas recorded as `fail` (certainly not applied). */
  readonly notApplied: readonly { readonly key: string; readonly value: string; readonly opId: number }[];
  readonly fromRevision: number;
  readonly toRevision: number;
  /** Problems the watcher noticed while receiving. */
  readonly anomalies: readonly string[];
}

export interface WatchCheckResult {
  readonly ok: boolean;
  /** At most `maxProblems` descriptions, then a count of the rest. */
  readonly problems: readonly string[];
  readonly observedEvents: number;
  readonly referenceEvents: number;
  readonly acknowledged: number;
}

const show = (e: WatchedEvent): string => `${e.type} ${e.key}${e.value === null ? '' : `=${e.value}`}@${e.revision}`;

export function checkWatch(input: WatchCheckInput, maxProblems = 20): WatchCheckResult {
  const all: string[] = [...input.anomalies.map((a) => `watcher: ${a}`)];
  const inRange = (e: WatchedEvent): boolean => e.revision >= input.fromRevision && e.revision <= input.toRevision;
  const observed = input.observed.filter(inRange);
  const reference = input.reference.filter(inRange);

  // The reference covers every revision once.
  for (let i = 0, want = input.fromRevision; want <= input.toRevision; want++, i++) {
    const e = reference[i];
    if (e === undefined) {
      all.push(`reference: revisions ${want}..${input.toRevision} missing`);
      break;
    }
    if (e.revision !== want) {
      all.push(`reference: expected revision ${want}, got ${show(e)}`);
      break;
    }
  }

  // The watcher saw exactly the reference.
  const n = Math.max(observed.length, reference.length);
  for (let i = 0; i < n; i++) {
    const o = observed[i];
    const r = reference[i];
    if (o !== undefined && r !== undefined && o.revision === r.revision && o.type === r.type && o.key === r.key && o.value === r.value) continue;
    all.push(
      `watcher diverges at event ${i}: saw ${o === undefined ? 'nothing' : show(o)}, reference has ${r === undefined ? 'nothing' : show(r)}` +
        ` (watcher ${observed.length} events, reference ${reference.length})`,
    );
    break;
  }
  const seen = new Map<number, WatchedEvent[]>();
  for (const e of observed) {
    const at = seen.get(e.revision);
    if (at === undefined) seen.set(e.revision, [e]);
    else at.push(e);
  }
  for (const [rev, es] of seen) if (es.length > 1) all.push(`watcher: revision ${rev} delivered ${es.length} times`);
  for (let i = 1; i < observed.length; i++) {
    const a = observed[i - 1] as WatchedEvent;
    const b = observed[i] as WatchedEvent;
    if (b.revision < a.revision) all.push(`watcher: ${show(b)} after ${show(a)}`);
  }

  // Every acknowledged change, exactly once.
  for (const c of input.acknowledged) {
    const es = seen.get(c.revision) ?? [];
    const type = c.value === null ? 'delete' : 'put';
    const matching = es.filter((e) => e.key === c.key && e.type === type && e.value === c.value);
    if (matching.length !== 1) {
      all.push(
        `acknowledged ${type} ${c.key}${c.value === null ? '' : `=${c.value}`}@${c.revision} (op #${c.opId}) seen ${matching.length} times` +
          (es.length > 0 ? `; at that revision: ${es.map(show).join(', ')}` : ''),
      );
    }
  }

  const referenceValues = new Map<string, WatchedEvent>();
  for (const e of input.reference) if (e.value !== null) referenceValues.set(`${e.key}\0${e.value}`, e);
  for (const f of input.notApplied) {
    const e = referenceValues.get(`${f.key}\0${f.value}`);
    if (e !== undefined) all.push(`op #${f.opId} was recorded as not applied, but its value is in the store: ${show(e)}`);
  }

  const problems = all.length > maxProblems ? [...all.slice(0, maxProblems), `... and ${all.length - maxProblems} more`] : all;
  return { ok: all.length === 0, problems, observedEvents: observed.length, referenceEvents: reference.length, acknowledged: input.acknowledged.length };
}
