// The store's members as etcdctl shows them (member list + endpoint status), for the Cluster
// service's Members and ComponentStatuses: MemberList from any reachable endpoint, then each
// member's Maintenance.Status with a short deadline. Works against a Shoal store or a real etcd
// (member ids above 2^53, which only a real etcd hands out, cannot be shown exactly).
import { Metadata } from '@grpc/grpc-js';
import type { ChannelCredentials, ServiceError } from '@grpc/grpc-js';
import { storeCredentials } from './storage/etcd-endpoints.js';
import type { StoreTls } from './storage/etcd-endpoints.js';
import { ClusterClient, MaintenanceClient } from '../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { MemberListResponse, StatusResponse } from '../../proto/gen/etcd/etcdserverpb/rpc.js';

export interface StoreMemberStatus {
  readonly name: string;
  /** Hex, as etcdctl prints it. */
  readonly id: string;
  readonly leader: boolean;
  readonly learner: boolean;
  readonly raftTerm: number;
  readonly raftAppliedIndex: number;
  readonly dbSize: number;
  readonly healthy: boolean;
  readonly error: string;
  readonly clientUrls: readonly string[];
  readonly peerUrls: readonly string[];
  readonly version: string;
}

export interface StoreStatus {
  /** Every member with its status; throws when no endpoint answers MemberList. */
  members(): Promise<StoreMemberStatus[]>;
  close(): void;
}

/** host:port of a client URL (http://127.0.0.1:2379 → 127.0.0.1:2379). */
export function grpcTarget(url: string): string {
  return url.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
}

function deadline(ms: number): Date {
  return new Date(Date.now() + ms);
}

export class EtcdStoreStatus implements StoreStatus {
  private readonly clusters = new Map<string, ClusterClient>();
  private readonly maintenance = new Map<string, MaintenanceClient>();

  /** endpoints: host:port or URLs of the store's client ports. */
  private readonly creds: ChannelCredentials;

  constructor(
    private readonly endpoints: readonly string[],
    private readonly deadlineMs = 2000,
    tls?: StoreTls,
  ) {
    this.creds = storeCredentials(tls);
  }

  private cluster(target: string): ClusterClient {
    let c = this.clusters.get(target);
    if (c === undefined) {
      c = new ClusterClient(target, this.creds);
      this.clusters.set(target, c);
    }
    return c;
  }

  private maint(target: string): MaintenanceClient {
    let c = this.maintenance.get(target);
    if (c === undefined) {
      c = new MaintenanceClient(target, this.creds);
      this.maintenance.set(target, c);
    }
    return c;
  }

  private memberList(): Promise<MemberListResponse> {
    const errors: string[] = [];
    const tryAt = async (i: number): Promise<MemberListResponse> => {
      const target = grpcTarget(this.endpoints[i]!);
      try {
        return await new Promise<MemberListResponse>((resolve, reject) =>
          this.cluster(target).memberList({}, new Metadata(), { deadline: deadline(this.deadlineMs) }, (e: ServiceError | null, r?: MemberListResponse) => (e !== null || r === undefined ? reject(e ?? new Error('empty reply')) : resolve(r))),
        );
      } catch (e) {
        errors.push(`${target}: ${(e as Error).message}`);
        if (i + 1 < this.endpoints.length) return tryAt(i + 1);
        throw new Error(`no store endpoint answered the member list: ${errors.join('; ')}`);
      }
    };
    return tryAt(0);
  }

  private status(target: string): Promise<StatusResponse> {
    return new Promise((resolve, reject) =>
      this.maint(target).status({}, new Metadata(), { deadline: deadline(this.deadlineMs) }, (e: ServiceError | null, r?: StatusResponse) => (e !== null || r === undefined ? reject(e ?? new Error('empty reply')) : resolve(r))),
    );
  }

  async members(): Promise<StoreMemberStatus[]> {
    const list = await this.memberList();
    const statuses = await Promise.all(
      list.members.map(async (m) => {
        const url = m.clientURLs[0];
        if (url === undefined) return { error: 'not started yet (no client URL published)' };
        try {
          return { status: await this.status(grpcTarget(url)) };
        } catch (e) {
          return { error: (e as ServiceError).details ?? (e as Error).message };
        }
      }),
    );
    const leaderId = statuses.map((s) => s.status?.leader ?? 0).find((l) => l !== 0) ?? 0;
    return list.members.map((m, i) => {
      const s = statuses[i]!;
      const st = s.status;
      const error = s.error ?? (st !== undefined && st.errors.length > 0 ? st.errors.join('; ') : st !== undefined && st.leader === 0 ? 'no leader' : '');
      return {
        name: m.name,
        id: m.ID.toString(16),
        leader: leaderId !== 0 && m.ID === leaderId,
        learner: m.isLearner,
        raftTerm: st?.raftTerm ?? 0,
        raftAppliedIndex: st?.raftAppliedIndex ?? 0,
        dbSize: st?.dbSize ?? 0,
        healthy: st !== undefined && error === '',
        error,
        clientUrls: m.clientURLs,
        peerUrls: m.peerURLs,
        version: st?.version ?? '',
      };
    });
  }

  close(): void {
    for (const c of this.clusters.values()) c.close();
    for (const c of this.maintenance.values()) c.close();
    this.clusters.clear();
    this.maintenance.clear();
  }
}
