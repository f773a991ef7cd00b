// The deterministic simulation harness for the Raft core (used by test/raft/sim.test.ts).
//
//   rng.ts            seeded PRNG: the only source of randomness in a run
//   sim-network.ts    virtual clock; delay, loss, duplication, reordering, partitions
//   sim-node.ts       one member: Raft + durable MemoryStorage + state machine + Ready driver
//   state-machine.ts  the replicated state: applied index and a running digest
//   sim-cluster.ts    members, network and the scheduler; fault phase then liveness phase
//   sim-failure.ts    the failure report: property, seed, step, replay command, last events
//   invariants.ts     the safety properties, checked incrementally after every step
//   membership.ts     the membership the committed log defines; change planning helpers
//   profiles.ts       the test groups (event rates per tick, fault rates)
//   mutants.ts        deliberately broken members, to show the checks catch them
//   trace.ts          readable event lines and the trace fingerprint
export { Rng } from './rng.js';
export { SimNetwork } from './sim-network.js';
export type { NetworkFaults, InFlight } from './sim-network.js';
export { SimNode } from './sim-node.js';
export type { RaftFactory, RaftLike, DriverHooks, CrashPoint, MemberSettings } from './sim-node.js';
export { SimCluster, runSimulation } from './sim-cluster.js';
export { SimFailure } from './sim-failure.js';
export type { SimOptions, SimResult, SimStats } from './sim-cluster.js';
export { Invariants } from './invariants.js';
export { InvariantViolation } from './violation.js';
export { PROFILES, profileByName } from './profiles.js';
export type { Profile, EventKind, EventRates } from './profiles.js';
export { MUTANTS } from './mutants.js';
