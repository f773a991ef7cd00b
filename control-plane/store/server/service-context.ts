// What the gRPC services share: the Raft node, the applied state, the write and read paths,
// response headers and the member's limits. Built once per member in member.ts.
import type { RaftNode } from '../../../raft/index.js';
import type { StoreStateMachine } from '../apply/store-state-machine.js';
import type { HeaderSource } from './response-header.js';
import type { LeaderClient } from './leader-client.js';
import type { LeaseKeeper } from './lease-keeper.js';
import type { Membership } from './membership.js';
import type { Proposer } from './proposer.js';
import type { Quota } from './quota.js';

export interface ServiceLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface ServiceContext {
  readonly memberId: number;
  readonly clusterId: number;
  readonly node: RaftNode;
  readonly sm: StoreStateMachine;
  readonly proposer: Proposer;
  readonly headers: HeaderSource;
  readonly quota: Quota;
  readonly leases: LeaseKeeper;
  readonly leader: LeaderClient;
  readonly membership: Membership;
  /** etcd --max-request-bytes. */
  readonly maxRequestBytes: number;
  /** Leases are granted at least this long (etcd: 1.5 election timeouts, in whole seconds). */
  readonly minLeaseTtlSec: number;
  readonly requestTimeoutMs: number;
  readonly logger: ServiceLogger;
}
