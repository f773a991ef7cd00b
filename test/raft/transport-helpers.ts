// Shared by the transport tests: a seeded RNG, message builders and a bounded wait.
import type { Entry, Message, MessageType, NodeId } from '../../raft/core/types.js';
import { EntryType, MessageType as MT, emptyMessage } from '../../raft/core/types.js';
import { seededRng as seeded } from '../support/random.js';
export { seeded };


export function bytes(rand: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/** A message with every field set to something non-default, varied by `seq`. */
export function richMessage(rand: () => number, from: NodeId, to: NodeId, seq: number): Message {
  const types: MessageType[] = [MT.App, MT.AppResp, MT.Vote, MT.Heartbeat, MT.ReadIndexResp, MT.Prop];
  const entries: Entry[] = [];
  const nEntries = seq % 4;
  for (let i = 0; i < nEntries; i++) {
    entries.push({
      term: 3 + seq,
      index: 1000 * seq + i + 1,
      type: i % 2 === 0 ? EntryType.Normal : EntryType.ConfChange,
      data: bytes(rand, 1 + Math.floor(rand() * 300)),
    });
  }
  return {
    type: types[seq % types.length] as MessageType,
    from,
    to,
    term: 2 ** 40 + seq,
    logTerm: seq,
    index: 7 * seq,
    entries,
    commit: 5 * seq,
    reject: seq % 3 === 0,
    rejectHint: seq * 11,
    hintTerm: seq * 13,
    snapshot: undefined,
    context: bytes(rand, seq % 5),
  };
}

export function heartbeat(from: NodeId, to: NodeId, seq: number): Message {
  return { ...emptyMessage(MT.Heartbeat, from, to, 1), commit: seq };
}

export function snapMessage(from: NodeId, to: NodeId, data: Uint8Array): Message {
  return {
    ...emptyMessage(MT.Snap, from, to, 4),
    snapshot: { meta: { index: 12345, term: 4, conf: { voters: [1, 2, 3], learners: [9] } }, data },
  };
}

/** Polls `cond` every few ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(cond: () => boolean, timeoutMs = 10_000, stepMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}

export function collectingLogger(): { lines: string[]; info(msg: string): void; warn(msg: string): void } {
  const lines: string[] = [];
  return {
    lines,
    info: (msg) => lines.push(`info ${msg}`),
    warn: (msg) => lines.push(`warn ${msg}`),
  };
}
