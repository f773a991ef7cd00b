// Deliberately broken members, to show that the harness notices when Raft's rules are broken.
// Each wraps the real core and corrupts what its Ready asks the driver to do.

import type { Ready } from '../../raft/core/types.js';
import { MessageType } from '../../raft/core/types.js';
import { Raft } from '../../raft/core/raft.js';
import type { RaftFactory, RaftLike } from './sim-node.js';

function wrap(mutate: (rd: Ready) => Ready): RaftFactory {
  return (config) => {
    const r = new Raft(config);
    // The core is advanced with the Ready it handed out; only the driver sees the corruption.
    const originals = new WeakMap<Ready, Ready>();
    const m: RaftLike = {
      tick: () => r.tick(),
      step: (msg) => r.step(msg),
      campaign: () => r.campaign(),
      propose: (d) => r.propose(d),
      proposeConfChange: (cc) => r.proposeConfChange(cc),
      readIndex: (c) => r.readIndex(c),
      transferLeadership: (to) => r.transferLeadership(to),
      reportUnreachable: (id) => r.reportUnreachable(id),
      reportSnapshot: (id, ok) => r.reportSnapshot(id, ok),
      hasReady: () => r.hasReady(),
      ready: () => {
        const rd = r.ready();
        const bad = mutate(rd);
        originals.set(bad, rd);
        return bad;
      },
      advance: (rd) => r.advance(originals.get(rd) ?? rd),
      status: () => r.status(),
    };
    return m;
  };
}

const mapMessages = (rd: Ready, f: (m: Ready['messages'][number]) => Ready['messages'][number]): Ready => ({
  ...rd,
  messages: rd.messages.map(f),
});

export const MUTANTS: Readonly<Record<string, { factory: RaftFactory; breaks: string }>> = {
  /** The vote never reaches the disk: after a restart a member can vote twice in one term. */
  'forgets-vote': {
    factory: wrap((rd) => (rd.hardState === undefined ? rd : { ...rd, hardState: { ...rd.hardState, vote: 0 } })),
    breaks: 'election safety',
  },
  /** Grants every (pre-)vote it is asked for, whatever its vote and log say. */
  'votes-for-anyone': {
    factory: wrap((rd) =>
      mapMessages(rd, (m) =>
        (m.type === MessageType.VoteResp || m.type === MessageType.PreVoteResp) && m.reject ? { ...m, reject: false } : m,
      ),
    ),
    breaks: 'election safety / leader completeness',
  },
  /**
   * Votes once per term, but for the first candidate that asks, however stale its log (the
   * up-to-date check of RequestVote is skipped). The forged votes are not persisted.
   */
  'ignores-log-check': {
    factory: (config) => {
      const voted = new Map<number, number>(); // per incarnation: term -> candidate
      return wrap((rd) =>
        mapMessages(rd, (m) => {
          if (m.type !== MessageType.VoteResp) return m;
          const prev = voted.get(m.term);
          if (prev === undefined) {
            voted.set(m.term, m.to);
            return m.reject ? { ...m, reject: false } : m;
          }
          return prev === m.to ? { ...m, reject: false } : { ...m, reject: true };
        }),
      )(config);
    },
    breaks: 'leader completeness',
  },
  /** A leader tells followers to commit everything it sent them, before a majority has it. */
  'commits-early': {
    factory: wrap((rd) =>
      mapMessages(rd, (m) =>
        m.type === MessageType.App && m.entries.length > 0 ? { ...m, commit: m.entries[m.entries.length - 1]!.index } : m,
      ),
    ),
    breaks: 'state machine safety',
  },
  /** Never sends the entries themselves (only empty appends): nothing new ever commits. */
  'withholds-entries': {
    factory: wrap((rd) => ({ ...rd, messages: rd.messages.filter((m) => !(m.type === MessageType.App && m.entries.length > 0)) })),
    breaks: 'liveness',
  },
  /** Entries are acknowledged but never written: a restart loses committed entries. */
  'loses-entries': {
    factory: wrap((rd) => ({ ...rd, entries: rd.entries.slice(0, Math.max(0, rd.entries.length - 1)) })),
    breaks: 'log matching / leader completeness / state machine safety',
  },
};
