// Between the wire types of proto/gen/raft.ts and the core types. Outgoing, a core Message *is*
// a wire Message (the fields mirror each other), so nothing is copied. Incoming, every field the
// wire type allows but the core type does not (unknown message or entry types, a snapshot
// without metadata) is refused: Raft only ever sees well-formed messages.
import type { Entry, Message, MessageType, Snapshot } from '../core/types.js';
import { EntryType, MessageType as MT, isLocalMessage } from '../core/types.js';
import type * as pb from '../../proto/gen/raft.js';

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

const MESSAGE_TYPES: ReadonlySet<number> = new Set(Object.values(MT));
const ENTRY_TYPES: ReadonlySet<number> = new Set(Object.values(EntryType));

/** The wire form of a core message; the same object, typed for the generated encoder. */
export function messageToWire(m: Message): pb.Message {
  return m;
}

/** A received message as Raft may see it, or why it is refused. Network-borne, so never local. */
export function messageFromWire(p: pb.Message): Decoded<Message> {
  if (!MESSAGE_TYPES.has(p.type)) return { ok: false, reason: `unknown message type ${p.type}` };
  const type = p.type as MessageType;
  if (isLocalMessage(type)) return { ok: false, reason: `local message type ${type} cannot travel between members` };
  for (const e of p.entries) {
    if (!ENTRY_TYPES.has(e.type)) return { ok: false, reason: `entry ${e.index}: unknown entry type ${e.type}` };
  }
  let snapshot: Snapshot | undefined;
  if (p.snapshot !== undefined) {
    const meta = p.snapshot.meta;
    if (meta === undefined || meta.conf === undefined) return { ok: false, reason: 'snapshot without metadata' };
    snapshot = { meta: { index: meta.index, term: meta.term, conf: meta.conf }, data: p.snapshot.data };
  }
  if (type === MT.Snap && snapshot === undefined) return { ok: false, reason: 'MsgSnap without a snapshot' };
  return {
    ok: true,
    value: {
      type,
      from: p.from,
      to: p.to,
      term: p.term,
      logTerm: p.logTerm,
      index: p.index,
      entries: p.entries as Entry[],
      commit: p.commit,
      reject: p.reject,
      rejectHint: p.rejectHint,
      hintTerm: p.hintTerm,
      snapshot,
      context: p.context,
    },
  };
}

// Upper bounds of the encoded size, for queue and batch caps (never smaller than the real size).
const MESSAGE_OVERHEAD = 128;
const ENTRY_OVERHEAD = 48;
const SNAPSHOT_OVERHEAD = 64;
const NODE_ID_BYTES = 11;

/** An upper bound of the encoded size of `m` in bytes, cheap to compute. */
export function estimateSize(m: Message): number {
  let n = MESSAGE_OVERHEAD + m.context.length;
  for (const e of m.entries) n += ENTRY_OVERHEAD + e.data.length;
  const s = m.snapshot;
  if (s !== undefined) {
    n += SNAPSHOT_OVERHEAD + s.data.length + NODE_ID_BYTES * (s.meta.conf.voters.length + s.meta.conf.learners.length);
  }
  return n;
}
