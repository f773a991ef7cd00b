// The shoal.api.v1.Cluster gRPC service: version, the store's members, and component statuses
// (`kubectl get componentstatuses`): each store member, this API server, and the scheduler and
// controller manager as their leader-election Leases in kube-system report them.
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/kind.js';
import type {
  ClusterServer,
  ComponentStatus,
  ComponentStatusesRequest,
  ComponentStatusesResponse,
  MembersRequest,
  MembersResponse,
  VersionRequest,
  VersionResponse,
} from '../../proto/gen/shoal/api/v1/api.js';
import type { Clock } from './clock.js';
import { ApiError, Code } from './errors.js';
import { toServiceError } from './api-service.js';
import type { StoreMemberStatus, StoreStatus } from './store-status.js';
import type { VersionInfo } from './version.js';

export interface ClusterServiceDeps {
  readonly version: VersionInfo;
  /** Absent when the storage has no members to show (in-memory storage). */
  readonly storeStatus: StoreStatus | undefined;
  /** Whether the store answers at all (used without storeStatus). */
  readonly storePing: () => Promise<void>;
  /** Reads kube-system Leases; undefined when absent. */
  readonly getLease: (name: string) => Promise<KubeObject | undefined>;
  readonly serverName: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Authenticates and authorizes a call (secured servers); throws ApiError to refuse. */
  readonly guard?: (call: ServerUnaryCall<unknown, unknown>, what: ClusterCall) => Promise<void>;
}

/** The Cluster service's calls, as authorization sees them. */
export const ClusterCall = { version: 'version', members: 'members', componentStatuses: 'componentstatuses' } as const;
export type ClusterCall = (typeof ClusterCall)[keyof typeof ClusterCall];

/** Components that report through a leader-election Lease in kube-system. */
export const LEASE_COMPONENTS = [
  { component: 'scheduler', lease: 'kube-scheduler' },
  { component: 'controller-manager', lease: 'kube-controller-manager' },
] as const;

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  renewTime?: string;
}

/** A lease holder is healthy while renewTime + leaseDurationSeconds is in the future. Pure. */
export function leaseStatus(name: string, lease: KubeObject | undefined, now: Date): ComponentStatus {
  if (lease === undefined) return { name, healthy: false, message: '', error: 'no leader elected yet' };
  const spec = (lease.spec ?? {}) as LeaseSpec;
  const renewed = spec.renewTime !== undefined ? Date.parse(spec.renewTime) : NaN;
  const duration = spec.leaseDurationSeconds ?? 0;
  const holder = spec.holderIdentity ?? '';
  if (holder === '' || Number.isNaN(renewed)) return { name, healthy: false, message: '', error: 'no leader elected yet' };
  const age = (now.getTime() - renewed) / 1000;
  if (age <= duration) return { name, healthy: true, message: `ok (leader ${holder})`, error: '' };
  return { name, healthy: false, message: '', error: `leader ${holder} last renewed its lease ${Math.round(age)}s ago (lease duration ${duration}s)` };
}

export function memberComponent(m: StoreMemberStatus): ComponentStatus {
  return { name: `store-${m.name || m.id}`, healthy: m.healthy, message: m.healthy ? `ok${m.leader ? ' (leader)' : ''}` : '', error: m.error };
}

export class ClusterService {
  constructor(private readonly d: ClusterServiceDeps) {}

  private async members(): Promise<StoreMemberStatus[]> {
    if (this.d.storeStatus === undefined) return [];
    try {
      return await this.d.storeStatus.members();
    } catch (e) {
      throw new ApiError(Code.UNAVAILABLE, `the store's members cannot be read: ${(e as Error).message}`);
    }
  }

  private async componentStatuses(): Promise<ComponentStatus[]> {
    const out: ComponentStatus[] = [];
    if (this.d.storeStatus !== undefined) {
      try {
        out.push(...(await this.d.storeStatus.members()).map(memberComponent));
      } catch (e) {
        out.push({ name: 'store', healthy: false, message: '', error: (e as Error).message });
      }
    } else {
      try {
        await this.d.storePing();
        out.push({ name: 'store', healthy: true, message: 'ok', error: '' });
      } catch (e) {
        out.push({ name: 'store', healthy: false, message: '', error: (e as Error).message });
      }
    }
    out.push({ name: `api-server-${this.d.serverName}`, healthy: true, message: 'ok', error: '' });
    const now = this.d.clock.now();
    for (const c of LEASE_COMPONENTS) {
      try {
        out.push(leaseStatus(c.component, await this.d.getLease(c.lease), now));
      } catch (e) {
        out.push({ name: c.component, healthy: false, message: '', error: `cannot read its lease: ${(e as Error).message}` });
      }
    }
    return out;
  }

  private guarded(call: ServerUnaryCall<unknown, unknown>, what: ClusterCall): Promise<void> {
    return this.d.guard === undefined ? Promise.resolve() : this.d.guard(call, what);
  }

  private respond<T>(callback: sendUnaryData<T>, work: Promise<T>): void {
    work.then(
      (r) => callback(null, r),
      (e: unknown) => {
        const err = e instanceof ApiError ? e : new ApiError(Code.INTERNAL, `internal error: ${(e as Error).message}`);
        if (!(e instanceof ApiError)) this.d.log.error({ err: (e as Error).stack }, 'cluster service failed');
        callback(toServiceError(err));
      },
    );
  }

  readonly implementation: ClusterServer = {
    version: (call: ServerUnaryCall<VersionRequest, VersionResponse>, callback: sendUnaryData<VersionResponse>) => {
      const v = this.d.version;
      this.respond(
        callback,
        this.guarded(call, ClusterCall.version).then(() => ({ version: v.version, gitCommit: v.gitCommit, nodeVersion: v.nodeVersion, platform: v.platform })),
      );
    },
    members: (call: ServerUnaryCall<MembersRequest, MembersResponse>, callback: sendUnaryData<MembersResponse>) => {
      this.respond(
        callback,
        this.guarded(call, ClusterCall.members).then(() => this.members()).then((ms) => ({
          members: ms.map((m) => ({
            name: m.name,
            id: m.id,
            leader: m.leader,
            learner: m.learner,
            raftTerm: m.raftTerm,
            raftAppliedIndex: m.raftAppliedIndex,
            dbSize: m.dbSize,
            healthy: m.healthy,
            error: m.error,
            clientUrls: [...m.clientUrls],
            peerUrls: [...m.peerUrls],
            version: m.version,
          })),
        })),
      );
    },
    componentStatuses: (call: ServerUnaryCall<ComponentStatusesRequest, ComponentStatusesResponse>, callback: sendUnaryData<ComponentStatusesResponse>) => {
      this.respond(
        callback,
        this.guarded(call, ClusterCall.componentStatuses)
          .then(() => this.componentStatuses())
          .then((components) => ({ components })),
      );
    },
  };
}
