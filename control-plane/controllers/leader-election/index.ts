export { LeaderElector, LeaderElectionError } from './leader-elector.js';
export type { LeaderElectorOptions } from './leader-elector.js';
