// The test groups: how often each kind of event happens and how hostile the network is.

export const EVENT_KINDS = [
  'deliver',
  'tick',
  'propose',
  'readIndex',
  'crash',
  'restart',
  'partition',
  'heal',
  'snapshot',
  'confChange',
  'transfer',
  'campaign',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export type EventWeights = Record<EventKind, number>;

export interface Profile {
  name: string;
  /** Scheduler steps in the fault phase (then the heal phase checks liveness). */
  steps: number;
  /** Voters in the initial cluster; one is picked per seed. */
  clusterSizes: readonly number[];
  weights: EventWeights;
  /** Upper bounds; each seed draws its own rates in [0, max]. */
  maxDropRate: number;
  maxDupRate: number;
  /** Upper bound of the per-seed maximum message delay, in ticks. */
  maxDelay: number;
  /** Probability, per Ready, that the member crashes somewhere in its driver loop. */
  crashInReady: number;
  /** Probability, per member per tick, that its clock skips or repeats a tick. */
  clockSkew: number;
  /** Entries kept behind a snapshot: 0..keepEntriesMax (small, so followers need InstallSnapshot). */
  keepEntriesMax: number;
  /** Members ever created, counting joiners (bounds the ids membership changes use). */
  maxNodes: number;
  /** Raft settings forced for every seed of the group (the others are drawn per seed). */
  raft?: { readOnlyOption?: 'safe' | 'lease-based'; checkQuorum?: boolean; preVote?: boolean };
}

const BASE: EventWeights = {
  deliver: 100, // only while some message is due
  tick: 18,
  propose: 8,
  readIndex: 1,
  crash: 0.35,
  restart: 3, // only while some member is down
  partition: 0.35,
  heal: 1.5, // only while partitioned
  snapshot: 0.3,
  confChange: 0,
  transfer: 0,
  campaign: 0.1,
};

const FAULTS = { maxDropRate: 0.15, maxDupRate: 0.1, maxDelay: 4, crashInReady: 0.002, clockSkew: 0.02 };

function profile(name: string, steps: number, w: Partial<EventWeights>, extra: Partial<Profile> = {}): Profile {
  return {
    name,
    steps,
    clusterSizes: [3, 5],
    weights: { ...BASE, ...w },
    ...FAULTS,
    keepEntriesMax: 4,
    maxNodes: 12,
    ...extra,
  };
}

export const PROFILES: readonly Profile[] = [
  // (a) drop / duplicate / delay / reorder / partition / crash, with proposals
  profile('basic', 1000, {}),
  // (b) membership changes (add learner -> promote, remove) under the same faults
  profile('membership', 1000, { confChange: 2.5, snapshot: 0.15 }),
  // (c) frequent snapshots with few entries kept, so followers need InstallSnapshot
  profile('snapshot', 1000, { snapshot: 6, propose: 14 }, { keepEntriesMax: 3 }),
  // (d) leadership transfer under faults
  profile('transfer', 1000, { transfer: 2.5 }),
  // (e) read index: every read must cover the writes acknowledged before it was issued
  profile('read-index', 1000, { readIndex: 8 }),
  // lease-based reads (readOnlyOption 'lease-based', checkQuorum on) under the conditions the
  // core documents for them: clocks that advance at the same rate (no skew) and no crashes
  profile(
    'lease-read',
    1000,
    { readIndex: 8, crash: 0 },
    { crashInReady: 0, clockSkew: 0, raft: { readOnlyOption: 'lease-based', checkQuorum: true } },
  ),
  // everything at once, fewer and longer runs
  profile('long', 8000, { confChange: 0.6, snapshot: 0.8, transfer: 0.6, readIndex: 2 }),
];

export function profileByName(name: string): Profile {
  const p = PROFILES.find((x) => x.name === name);
  if (p === undefined) throw new RangeError(`unknown simulation group '${name}' (known: ${PROFILES.map((x) => x.name).join(', ')})`);
  return p;
}
