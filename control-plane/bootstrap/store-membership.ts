// The store's membership changes a joining host makes, through etcd's v3 Cluster API over mTLS
// (as `etcdctl member add --learner` / `member promote` would): add this host as a learner,
// then promote it once the leader says it has caught up. Every call is bounded; each endpoint
// is tried in turn.
import { credentials, Metadata, status } from '@grpc/grpc-js';
import type { ChannelCredentials, ServiceError } from '@grpc/grpc-js';
import { ClusterClient } from '../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { Member } from '../../proto/gen/etcd/etcdserverpb/rpc.js';
import { BootstrapError } from './bootstrap-error.js';
import type { ClusterMember } from './control-plane-flags.js';

export interface StoreClientTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface StoreMembershipOptions {
  /** Client URLs of the store's members. */
  readonly endpoints: readonly string[];
  /** mTLS identity for https endpoints. */
  readonly tls: StoreClientTls | undefined;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const target = (url: string): string => url.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The member list as init/join plan it: MemberAdd's answer with the new member named. */
export function clusterMembers(members: readonly Member[], added: { id: number; name: string }): ClusterMember[] {
  return members.map((m) => ({ name: m.ID === added.id ? added.name : m.name, peerUrls: [...m.peerURLs] }));
}

export class StoreMembership {
  private readonly clients: { url: string; client: ClusterClient }[];
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(o: StoreMembershipOptions) {
    const secure: ChannelCredentials | undefined = o.tls === undefined ? undefined : credentials.createSsl(Buffer.from(o.tls.ca), Buffer.from(o.tls.key), Buffer.from(o.tls.cert));
    this.clients = o.endpoints.map((url) => {
      const creds = url.startsWith('https://') ? secure : credentials.createInsecure();
      if (creds === undefined) throw new BootstrapError('member-add-failed', `${url} is https:// but there is no client certificate`);
      return { url, client: new ClusterClient(target(url), creds) };
    });
    if (this.clients.length === 0) throw new BootstrapError('member-add-failed', 'no store endpoint is known');
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.sleep = o.sleep ?? defaultSleep;
  }

  /** Tries each endpoint in turn; a refusal by the cluster is the answer, only unreachable endpoints are skipped. */
  private async call<Req, Res>(pick: (c: ClusterClient) => (req: Req, md: Metadata, opts: { deadline: Date }, cb: (e: ServiceError | null, r: Res) => void) => unknown, req: Req): Promise<Res> {
    let last: ServiceError | undefined;
    for (const c of this.clients) {
      try {
        return await new Promise<Res>((resolve, reject) => {
          pick(c.client).call(c.client, req, new Metadata(), { deadline: new Date(Date.now() + this.timeoutMs) }, (e, r) => (e !== null ? reject(e) : resolve(r)));
        });
      } catch (e) {
        last = e as ServiceError;
        if (last.code !== status.UNAVAILABLE && last.code !== status.DEADLINE_EXCEEDED) throw e;
      }
    }
    throw last!;
  }

  async list(): Promise<Member[]> {
    return (await this.call((c) => c.memberList, { linearizable: true })).members;
  }

  /** Adds a learner with `peerUrl`; when a member with that URL exists and never started (an earlier join died), that one is reused. */
  async addLearner(peerUrl: string): Promise<{ member: Member; members: Member[] }> {
    try {
      const r = await this.call((c) => c.memberAdd, { peerURLs: [peerUrl], isLearner: true });
      return { member: r.member!, members: r.members };
    } catch (e) {
      const members = await this.list().catch(() => []);
      const same = members.find((m) => m.peerURLs.includes(peerUrl));
      if (same !== undefined && same.name === '') return { member: same, members };
      const detail = same !== undefined ? `a started member "${same.name}" already has peer URL ${peerUrl}` : ((e as ServiceError).details ?? (e as Error).message);
      throw new BootstrapError('member-add-failed', detail, { cause: e });
    }
  }

  /** Promotes the learner, retrying while the leader reports it is not in sync (bounded). */
  async promote(id: number, o: { attempts?: number; intervalMs?: number } = {}): Promise<void> {
    const attempts = o.attempts ?? 180;
    let last = '';
    for (let i = 0; i < attempts; i++) {
      try {
        await this.call((c) => c.memberPromote, { ID: id });
        return;
      } catch (e) {
        const se = e as ServiceError;
        last = se.details || se.message;
        if (/can only promote a learner member$/.test(last)) return; // already a voter (an earlier attempt's answer was lost)
        const retriable = /not in sync|learner member which is in sync/.test(last) || se.code === status.UNAVAILABLE || se.code === status.DEADLINE_EXCEEDED;
        if (!retriable) throw new BootstrapError('promote-failed', last, { cause: e });
      }
      await this.sleep(o.intervalMs ?? 1000);
    }
    throw new BootstrapError('promote-failed', `still not promoted after ${attempts} attempts: ${last}`);
  }

  close(): void {
    for (const c of this.clients) c.client.close();
  }
}
