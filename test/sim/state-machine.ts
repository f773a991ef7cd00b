// The replicated state machine of one simulated member. It keeps no per-command data: its
// state is the applied index and a running digest over every applied entry, so two members
// whose digests agree at an index applied the same entries up to it. Snapshots carry that
// digest, which lets the harness check state machine safety across InstallSnapshot too.

import type { Entry, Snapshot } from '../../raft/core/types.js';
import { EntryType } from '../../raft/core/types.js';
import { fnvBytes, fnvNumber, fnvStart } from './hash.js';
import { decodeText } from './trace.js';

/** The prefix of every command the harness proposes: `c` then a unique decimal id. */
export const COMMAND_PREFIX = 'c';

const encoder = new TextEncoder();

export function encodeCommand(id: number): Uint8Array {
  return encoder.encode(`${COMMAND_PREFIX}${id}`);
}

/** The command id in a normal entry's data, or undefined for an empty (no-op) entry. */
export function decodeCommand(data: Uint8Array): number | undefined {
  if (data.length === 0) return undefined;
  const s = decodeText(data);
  if (!s.startsWith(COMMAND_PREFIX)) return Number.NaN;
  const n = Number(s.slice(COMMAND_PREFIX.length));
  return Number.isSafeInteger(n) ? n : Number.NaN;
}

/** A digest of one entry: index, term, type and data. */
export function entryDigest(e: Entry): number {
  let h = fnvStart();
  h = fnvNumber(h, e.index);
  h = fnvNumber(h, e.term);
  h = fnvNumber(h, e.type);
  return fnvBytes(h, e.data);
}

export function chainDigest(prev: number, e: Entry): number {
  return fnvNumber(prev, entryDigest(e));
}

export interface StateMachineImage {
  applied: number;
  digest: number;
  commands: number;
}

export class SimStateMachine {
  applied: number;
  digest: number;
  /** Normal entries with a command applied so far. */
  commands: number;

  private constructor(img: StateMachineImage) {
    this.applied = img.applied;
    this.digest = img.digest;
    this.commands = img.commands;
  }

  static empty(): SimStateMachine {
    return new SimStateMachine({ applied: 0, digest: 0, commands: 0 });
  }

  /** The state recorded in a snapshot; an empty snapshot (index 0, no data) is the empty state. */
  static fromSnapshot(snap: Snapshot): SimStateMachine {
    if (snap.meta.index === 0 && snap.data.length === 0) return SimStateMachine.empty();
    return new SimStateMachine(decodeImage(snap.data));
  }

  /** Applies the next entry. The caller has checked that e.index === applied + 1. */
  apply(e: Entry): void {
    this.applied = e.index;
    this.digest = chainDigest(this.digest, e);
    if (e.type === EntryType.Normal && e.data.length > 0) this.commands++;
  }

  image(): StateMachineImage {
    return { applied: this.applied, digest: this.digest, commands: this.commands };
  }

  encode(): Uint8Array {
    return encoder.encode(JSON.stringify(this.image()));
  }
}

export function decodeImage(data: Uint8Array): StateMachineImage {
  const v: unknown = JSON.parse(decodeText(data));
  if (typeof v !== 'object' || v === null) throw new Error('snapshot data is not a state machine image');
  const o = v as Record<string, unknown>;
  const num = (k: string): number => {
    const x = o[k];
    if (typeof x !== 'number') throw new Error(`snapshot data: ${k} is not a number`);
    return x;
  };
  return { applied: num('applied'), digest: num('digest'), commands: num('commands') };
}
