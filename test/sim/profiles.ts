// The test groups: how often each kind of event happens and how hostile the network is.

/** What can happen between two deliveries (besides deliveries and ticks). */
export const EVENT_KINDS = [
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

/** Expected occurrences of each kind of event per tick. */
export type EventRates = Record<EventKind, number>;

export interface Profile {
  name: string;
  /** Virtual time of the fault phase, in ticks (then the heal phase checks liveness). */
  ticks: number;
  /** Voters in the initial cluster; one is picked per seed. */
  clusterSizes: readonly number[];
  rates: EventRates;
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

const BASE: EventRates = {
  propose: 0.4,
  readIndex: 0.05,
  crash: 0.02,
  restart: 0.15, // a no-op while every member is up
  partition: 0.02,
  heal: 0.08, // a no-op while not partitioned
  snapshot: 0.02,
  confChange: 0,
  transfer: 0,
  campaign: 0.005,
};

const FAULTS = { maxDropRate: 0.15, maxDupRate: 0.1, maxDelay: 4, crashInReady: 0.002, clockSkew: 0.02 };

function profile(name: string, ticks: number, r: Partial<EventRates>, extra: Partial<Profile> = {}): Profile {
  return {
    name,
    ticks,
    clusterSizes: [3, 5],
    rates: { ...BASE, ...r },
    ...FAULTS,
    keepEntriesMax: 4,
    maxNodes: 12,
    ...extra,
  };
}

export const PROFILES: readonly Profile[] = [
  // (a) drop / duplicate / delay / reorder / partition / crash, with proposals
  profile('basic', 200, {}),
  // (b) membership changes (add learner -> promote, remove) under the same faults
  profile('membership', 200, { confChange: 0.12, snapshot: 0.01 }, { raft: { preVote: true } }),
  // the same without pre-vote (liveness is known to fail on some seeds, see sim.test.ts)
  profile('membership-no-prevote', 200, { confChange: 0.12, snapshot: 0.01 }, { raft: { preVote: false } }),
  // (c) frequent snapshots with few entries kept, so followers need InstallSnapshot
  profile('snapshot', 200, { snapshot: 0.3, propose: 0.7 }, { keepEntriesMax: 3 }),
  // (d) leadership transfer under faults
  profile('transfer', 200, { transfer: 0.12 }),
  // (e) read index: every read must cover the writes acknowledged before it was issued
  profile('read-index', 200, { readIndex: 0.4 }),
  // lease-based reads (readOnlyOption 'lease-based', checkQuorum on) under the condition the
  // core documents for them: clocks that advance at the same rate (no skew)
  profile('lease-read', 200, { readIndex: 0.4 }, { clockSkew: 0, raft: { readOnlyOption: 'lease-based', checkQuorum: true } }),
  // everything at once, fewer and longer runs
  profile('long', 2000, { confChange: 0.03, snapshot: 0.04, transfer: 0.03, readIndex: 0.1 }),
];

export function profileByName(name: string): Profile {
  const p = PROFILES.find((x) => x.name === name);
  if (p === undefined) throw new RangeError(`unknown simulation group '${name}' (known: ${PROFILES.map((x) => x.name).join(', ')})`);
  return p;
}
