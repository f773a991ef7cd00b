// The readable event trace of one simulation run: a ring of the last lines (printed on failure)
// and a fingerprint of every line (two runs of one seed must produce the same fingerprint).

import type { Entry, Message } from '../../raft/core/types.js';
import { MessageType } from '../../raft/core/types.js';
import { Fingerprint } from './hash.js';

const MESSAGE_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(MessageType).map(([k, v]) => [v, k]));

export function messageTypeName(t: number): string {
  return MESSAGE_NAMES.get(t) ?? `Type${t}`;
}

/** One line per message, in the style `2->3 App term=4 logTerm=3 idx=17 n=2 commit=15`. */
export function formatMessage(m: Message): string {
  let s = `${m.from}->${m.to} ${messageTypeName(m.type)} term=${m.term}`;
  switch (m.type) {
    case MessageType.App:
      s += ` logTerm=${m.logTerm} idx=${m.index} n=${m.entries.length} commit=${m.commit}`;
      if (m.entries.length > 0) s += ` [${formatEntryRange(m.entries)}]`;
      break;
    case MessageType.AppResp:
      s += ` idx=${m.index}${m.reject ? ` reject hint=${m.rejectHint}/${m.hintTerm}` : ''}`;
      break;
    case MessageType.Vote:
    case MessageType.PreVote:
      s += ` logTerm=${m.logTerm} idx=${m.index}`;
      break;
    case MessageType.VoteResp:
    case MessageType.PreVoteResp:
      s += m.reject ? ' reject' : ' grant';
      break;
    case MessageType.Heartbeat:
      s += ` commit=${m.commit}`;
      break;
    case MessageType.Snap:
      if (m.snapshot !== undefined) s += ` snap=${m.snapshot.meta.index}/${m.snapshot.meta.term}`;
      break;
    case MessageType.Prop:
      s += ` n=${m.entries.length}`;
      break;
    case MessageType.ReadIndex:
    case MessageType.ReadIndexResp:
      s += ` idx=${m.index} ctx=${decodeText(m.context)}`;
      break;
    default:
      break;
  }
  return s;
}

export function formatEntryRange(es: readonly Entry[]): string {
  const first = es[0];
  const last = es[es.length - 1];
  if (first === undefined || last === undefined) return '';
  return first === last ? `${first.index}/${first.term}` : `${first.index}/${first.term}..${last.index}/${last.term}`;
}

const decoder = new TextDecoder();
export function decodeText(b: Uint8Array): string {
  return decoder.decode(b);
}

export class Trace {
  private readonly ring: string[] = [];
  private head = 0;
  private readonly fp = new Fingerprint();
  /** Every line, when the caller asked for the full trace (SIM_TRACE=1). */
  readonly all: string[] | undefined;

  constructor(
    private readonly clock: () => number,
    private readonly keep: number = 30,
    full = false,
  ) {
    this.all = full ? [] : undefined;
  }

  add(text: string): void {
    const line = `t=${this.clock()} ${text}`;
    this.fp.add(line);
    if (this.ring.length < this.keep) this.ring.push(line);
    else {
      this.ring[this.head] = line;
      this.head = (this.head + 1) % this.keep;
    }
    this.all?.push(line);
  }

  /** The last lines, oldest first. */
  last(): string[] {
    return [...this.ring.slice(this.head), ...this.ring.slice(0, this.head)];
  }

  fingerprint(): string {
    return this.fp.hex();
  }

  get events(): number {
    return this.fp.count;
  }
}
