// K concurrent clients doing reads, writes, compare-and-swaps and deletes on a small key set,
// every operation recorded in a history for the linearizability checker.
//
// Rules:
// - Every client has its own etcd3 client dialling every endpoint; each request goes to one
//   endpoint picked at random, with a short deadline and no retry: a failed operation is
//   recorded as it ended and the client moves on to a new operation with a new value.
// - Every written value is unique in the run ("c<client>-<seq>"), so reads name the write they saw.
// - A compare-and-swap compares on the value or on the mod revision the client last saw with that
//   value (equivalent, because a value is written at exactly one revision); "absent" compares
//   version == 0 or mod_revision == 0.
// - Reads are linearizable (etcd's default) unless serializableReads is set.
import { Etcd3 } from 'etcd3';
import type { ICompare } from 'etcd3';
import { noop } from 'cockatiel';
import type { HistoryRecorder, KvValue, OpKind, PendingOperation } from '../linearizability/index.js';
import { classifyWriteError, errorMessage } from './etcd-errors.js';
import { pick, pickWeighted, seededRng } from '../support/random.js';
import type { Rng } from '../support/random.js';

export interface WorkloadOptions {
  readonly endpoints: readonly string[];
  readonly clients: number;
  readonly keys: readonly string[];
  readonly durationMs: number;
  readonly seed: number;
  readonly recorder: HistoryRecorder;
  /** Per-request deadline; default 1000 ms. */
  readonly requestTimeoutMs?: number;
  /** Relative weights; default read 4, write 3, cas 2, delete 1. */
  readonly mix?: Readonly<Record<OpKind, number>>;
  /** Pause after a request refused without being sent (dead endpoint), so no client spins; default 10 ms. */
  readonly refusedPauseMs?: number;
  /**
   * Default false: linearizable reads (etcd's default). true sends serializable reads, which any
   * member answers from its local state: not linearizable, and a way to check that the checker
   * notices.
   */
  readonly serializableReads?: boolean;
  /** Stops the workload early (e.g. when the test is torn down). */
  readonly signal?: AbortSignal;
}

/** A change the store acknowledged: it must appear in the watch stream exactly once, at `revision`. */
export interface AcknowledgedChange {
  readonly revision: number;
  readonly key: string;
  /** null for a delete. */
  readonly value: KvValue;
  readonly opId: number;
}

export interface WorkloadResult {
  readonly changes: readonly AcknowledgedChange[];
}

const DEFAULT_MIX: Readonly<Record<OpKind, number>> = { read: 4, write: 3, cas: 2, delete: 1 };

interface Known {
  readonly value: KvValue;
  readonly modRevision: string;
}

export async function runWorkload(o: WorkloadOptions): Promise<WorkloadResult> {
  if (o.clients < 1 || o.keys.length < 1 || o.endpoints.length < 1) throw new Error('workload: need at least one client, key and endpoint');
  const timeout = o.requestTimeoutMs ?? 1000;
  const mix = o.mix ?? DEFAULT_MIX;
  const refusedPause = o.refusedPauseMs ?? 10;
  const serializable = o.serializableReads ?? false;
  const changes: AcknowledgedChange[] = [];
  const endAt = performance.now() + o.durationMs;
  const running = (): boolean => performance.now() < endAt && !(o.signal?.aborted ?? false);

  const pauseAfterRefusal = (): Promise<void> => new Promise((r) => setTimeout(r, refusedPause));
  /** Records a failed write, cas or delete: `fail` only if it certainly was not applied. */
  const failWrite = async (op: PendingOperation, e: unknown): Promise<void> => {
    const c = classifyWriteError(e);
    if (c.certainty === 'indeterminate') {
      op.info(c.message);
      return;
    }
    op.fail(c.message);
    await pauseAfterRefusal();
  };

  const client = async (id: number, rng: Rng): Promise<void> => {
    const etcd = new Etcd3({
      hosts: [...o.endpoints],
      dialTimeout: timeout,
      faultHandling: { host: () => noop, global: noop },
    });
    const known = new Map<string, Known>();
    let seq = 0;
    const deadline = (): { deadline: number } => ({ deadline: Date.now() + timeout });
    try {
      while (running()) {
        const key = pick(rng, o.keys);
        const k = Buffer.from(key);
        const kind = pickWeighted(rng, mix);
        switch (kind) {
          case 'read': {
            const op = o.recorder.invoke(id, key, { kind: 'read' });
            try {
              const r = await etcd.kv.range({ key: k, serializable }, deadline());
              const kv = r.kvs[0];
              const value = kv === undefined ? null : kv.value.toString();
              op.ok({ kind: 'read', value });
              known.set(key, { value, modRevision: kv === undefined ? '0' : kv.mod_revision });
            } catch (e) {
              op.fail(errorMessage(e)); // a read has no effect
              if (classifyWriteError(e).certainty === 'not-applied') await pauseAfterRefusal();
            }
            break;
          }
          case 'write': {
            const value = `c${id}-${seq++}`;
            const op = o.recorder.invoke(id, key, { kind: 'write', value });
            try {
              const r = await etcd.kv.put({ key: k, value: Buffer.from(value) }, deadline());
              op.ok({ kind: 'write' });
              changes.push({ revision: Number(r.header.revision), key, value, opId: op.id });
              known.set(key, { value, modRevision: r.header.revision });
            } catch (e) {
              await failWrite(op, e);
            }
            break;
          }
          case 'cas': {
            const value = `c${id}-${seq++}`;
            const expected = known.get(key) ?? { value: null, modRevision: '0' };
            const byRevision = rng() < 0.5;
            const compare: ICompare =
              expected.value === null
                ? byRevision
                  ? { key: k, target: 'Mod', result: 'Equal', mod_revision: 0 }
                  : { key: k, target: 'Version', result: 'Equal', version: 0 }
                : byRevision
                  ? { key: k, target: 'Mod', result: 'Equal', mod_revision: expected.modRevision }
                  : { key: k, target: 'Value', result: 'Equal', value: Buffer.from(expected.value) };
            const op = o.recorder.invoke(id, key, { kind: 'cas', expected: expected.value, value });
            try {
              const r = await etcd.kv.txn(
                { compare: [compare], success: [{ request_put: { key: k, value: Buffer.from(value) } }], failure: [{ request_range: { key: k } }] },
                deadline(),
              );
              op.ok({ kind: 'cas', succeeded: r.succeeded });
              if (r.succeeded) {
                changes.push({ revision: Number(r.header.revision), key, value, opId: op.id });
                known.set(key, { value, modRevision: r.header.revision });
              } else {
                const kv = r.responses[0]?.response_range?.kvs[0];
                known.set(key, { value: kv === undefined ? null : kv.value.toString(), modRevision: kv === undefined ? '0' : kv.mod_revision });
              }
            } catch (e) {
              await failWrite(op, e);
            }
            break;
          }
          case 'delete': {
            const op = o.recorder.invoke(id, key, { kind: 'delete' });
            try {
              const r = await etcd.kv.deleteRange({ key: k }, deadline());
              const deleted = r.deleted !== '0';
              op.ok({ kind: 'delete', deleted });
              if (deleted) changes.push({ revision: Number(r.header.revision), key, value: null, opId: op.id });
              known.set(key, { value: null, modRevision: '0' });
            } catch (e) {
              await failWrite(op, e);
            }
            break;
          }
        }
      }
    } finally {
      etcd.close();
    }
  };

  await Promise.all(Array.from({ length: o.clients }, (_, i) => client(i, seededRng(o.seed * 7919 + i))));
  changes.sort((a, b) => a.revision - b.revision);
  return { changes };
}
