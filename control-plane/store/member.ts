// One member of the cluster store, wired from its configuration: the Raft node (DurableStorage
// WAL + snapshots, GrpcTransport to the peers), the applier, the etcd v3 gRPC services on the
// client URLs, and metrics. I/O lives here and in server/; the state machine is pure.
//
// Start-up, as etcd does it: a new member writes the founding membership into its empty log
// (--initial-cluster-state new) or starts empty and is caught up by the leader (existing); it
// restores its state from the newest Raft snapshot and replays the log after it; once a leader
// is known it records the founding member table (first one wins) and publishes its own name
// and client URLs through the log, and only then serves clients.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Server as HttpServer } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { ClusterService, KVService, LeaseService, MaintenanceService, WatchService } from '../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { Member } from '../../proto/gen/store.js';
import { bootstrapIfEmpty, DurableStorage, NONE, RaftNode } from '../../raft/index.js';
import { GrpcTransport } from '../../raft/transport/index.js';
import type { AppliedEntry } from './apply/store-state-machine.js';
import { StoreStateMachine } from './apply/store-state-machine.js';
import type { StoreConfig } from './config.js';
import type { Logger } from './logger.js';
import { raftLogger } from './logger.js';
import { clusterIdOf, hexId, memberIdOf } from './member-id.js';
import { StoreMetrics, startMetricsServers } from './metrics.js';
import type { Health } from './metrics.js';
import { PeerSync } from './peer-sync.js';
import { grpcAddressOf, schemeOf } from './peer-url.js';
import { AutoCompactor } from './server/auto-compactor.js';
import { clusterService } from './server/cluster-service.js';
import { kvService } from './server/kv-service.js';
import { LeaderClient } from './server/leader-client.js';
import { LeaseKeeper } from './server/lease-keeper.js';
import { leaseService } from './server/lease-service.js';
import { maintenanceService } from './server/maintenance-service.js';
import { Membership } from './server/membership.js';
import { Proposer } from './server/proposer.js';
import { Quota } from './server/quota.js';
import { HeaderSource } from './server/response-header.js';
import type { ServiceContext } from './server/service-context.js';
import type { TlsMaterial } from './tls.js';
import { CLIENT_TLS_FLAGS, channelCredentials, loadTlsMaterial, PEER_TLS_FLAGS, serverCredentials, urlDialer } from './tls.js';
import { createWatchService, mvccWatchSource, WatchHub } from './watch/index.js';

/** gRPC framing on top of --max-request-bytes (etcd allows the same). */
const GRPC_OVERHEAD_BYTES = 512 * 1024;

export interface StoreMemberHooks {
  /** Extra gRPC services (e.g. Watch) registered on the client server. */
  services?: (ctx: ServiceContext, server: grpc.Server) => void;
}

export class StoreMember {
  readonly memberId: number;
  readonly clusterId: number;
  readonly sm: StoreStateMachine;
  readonly node: RaftNode;
  readonly metrics: StoreMetrics;
  /** Watchers of this member, fed by its own apply loop (control-plane/store/watch). */
  readonly watchHub: WatchHub;
  /** Resolves once the member serves clients (it published itself through the log). */
  readonly ready: Promise<void>;
  private readonly log: Logger;
  /** The client port's TLS files, read once at start (undefined: http:// only). */
  private readonly clientTls: TlsMaterial | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private grpcServer: grpc.Server | undefined;
  private httpServers: HttpServer[] = [];
  private ctx: ServiceContext | undefined;
  private compactor: AutoCompactor | undefined;
  private stopping: Promise<void> | undefined;
  private removedListeners = new Set<() => void>();
  private readonly watchStop = new AbortController();
  private resolveReady!: () => void;
  private rejectReady!: (e: Error) => void;

  private constructor(
    readonly config: StoreConfig,
    log: Logger,
    parts: { memberId: number; clusterId: number; sm: StoreStateMachine; node: RaftNode; metrics: StoreMetrics; clientTls: TlsMaterial | undefined },
  ) {
    this.log = log;
    this.clientTls = parts.clientTls;
    this.memberId = parts.memberId;
    this.clusterId = parts.clusterId;
    this.sm = parts.sm;
    this.node = parts.node;
    this.metrics = parts.metrics;
    this.watchHub = new WatchHub({ source: mvccWatchSource(parts.sm.mvcc) });
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {});
  }

  /** The founding members named in --initial-cluster, with their ids. */
  static foundingMembers(config: StoreConfig): Member[] {
    return [...config.initialCluster].map(([name, peerUrls]) => ({
      id: memberIdOf(peerUrls, config.initialClusterToken),
      name,
      peerUrls,
      clientUrls: [],
      isLearner: false,
    }));
  }

  static async start(config: StoreConfig, log: Logger, hooks: StoreMemberHooks = {}): Promise<StoreMember> {
    const memberId = memberIdOf(config.initialAdvertisePeerUrls, config.initialClusterToken);
    const clusterId = clusterIdOf(config.initialClusterToken);
    const founding = StoreMember.foundingMembers(config);
    const memberLog = log.child({ member: hexId(memberId), name: config.name });
    // Read before anything is written: a bad file must not leave a half-started member behind.
    const clientTls = config.clientTls === undefined ? undefined : loadTlsMaterial(config.clientTls, CLIENT_TLS_FLAGS);
    const peerTls = config.peerTls === undefined ? undefined : loadTlsMaterial(config.peerTls, PEER_TLS_FLAGS);
    if (clientTls?.clientCertAuth === true && !clientTls.canDial) {
      memberLog.warn(
        { certFile: config.clientTls?.certFile },
        '--cert-file has no clientAuth usage: as a follower this member cannot pass lease keep-alives and member changes to the leader',
      );
    }
    const walDir = join(config.dataDir, 'member');
    await mkdir(walDir, { recursive: true });
    const durable = await DurableStorage.open(walDir, { sync: config.fsync });
    for (const w of durable.warnings) memberLog.warn({ warning: w }, 'storage');
    try {
      const fresh = durable.storage.lastIndex() === 0 && durable.storage.snapshot().meta.index === 0;
      if (fresh && config.initialClusterState === 'new') {
        await bootstrapIfEmpty(durable, founding.map((m) => m.id));
        memberLog.info({ members: founding.map((m) => `${m.name}=${hexId(m.id)}`) }, 'bootstrapped a new cluster');
      } else if (fresh) {
        memberLog.info('joining an existing cluster: waiting for the leader to catch this member up');
      } else {
        memberLog.info({ dataDir: config.dataDir }, 'restarting from the data directory (initial-cluster flags are ignored)');
      }

      const sm = new StoreStateMachine({ memberId, mvcc: { limits: { maxRequestBytes: config.maxRequestBytes } } });
      const metrics = new StoreMetrics(() => sm.mvcc.stats().approxBytes);
      const rlog = raftLogger(memberLog);
      const transport = new GrpcTransport({
        id: memberId,
        clusterId,
        listen: grpcAddressOf(config.listenPeerUrls[0]!),
        logger: rlog,
        // config.ts guarantees every peer URL has the listen URL's scheme.
        ...(peerTls !== undefined ? { credentials: { server: serverCredentials(peerTls), channel: channelCredentials(peerTls) } } : {}),
      });
      const electionTick = Math.max(2, Math.round(config.electionTimeoutMs / config.heartbeatIntervalMs));
      const requestTimeoutMs = 5000 + 2 * config.electionTimeoutMs;
      const node = new RaftNode({
        id: memberId,
        storage: metrics.timedStorage(durable),
        transport,
        stateMachine: metrics.timedStateMachine(sm),
        raftConfig: { electionTick, heartbeatTick: 1 },
        tickMs: config.heartbeatIntervalMs,
        snapshotEvery: config.snapshotCount,
        snapshotKeep: Math.min(5000, config.snapshotCount),
        requestTimeoutMs,
        // The leader writes its log while the batch is on its way to the followers, as etcd
        // does: a commit then waits for the slower of the two fsyncs, not their sum. Safe
        // because nothing that depends on the commit leaves before the next batch, which the
        // driver starts only after this one is on disk (see RaftNodeOptions).
        leaderSendsBeforePersist: true,
        logger: rlog,
      });
      const member = new StoreMember(config, memberLog, { memberId, clusterId, sm, node, metrics, clientTls });
      await member.run(transport, founding, requestTimeoutMs, hooks);
      return member;
    } catch (e) {
      await durable.close().catch(() => {});
      throw e;
    }
  }

  private async run(transport: GrpcTransport, founding: Member[], requestTimeoutMs: number, hooks: StoreMemberHooks): Promise<void> {
    const { sm, node, metrics, config } = this;
    const log = this.log;
    const peers = new PeerSync(this.memberId, transport, sm, new Map(founding.map((m) => [m.id, m.peerUrls])), log, schemeOf(config.listenPeerUrls[0]!));
    peers.sync(node);
    // Watchers see every applied revision in log order; a snapshot install resynchronises them.
    sm.onApplied((a) => {
      if (a.result.ok && a.events.length > 0) this.watchHub.notify(a.revision, a.events);
      this.onApplied(a, peers);
    });
    sm.onRestored(() => {
      this.watchHub.restored();
      peers.sync(node);
    });
    const peerTimer = setInterval(() => peers.sync(node), 1000);
    peerTimer.unref();
    this.timers.push(peerTimer);
    node.onLeaderChange((c) => {
      metrics.leaderChanges.inc();
      metrics.hasLeader.set(c.leader === NONE ? 0 : 1);
      metrics.isLeader.set(c.leader === this.memberId ? 1 : 0);
      log.info({ leader: c.leader === NONE ? 'none' : hexId(c.leader), term: c.term }, 'leader changed');
    });
    node.onFailure((e) => {
      log.error({ err: e.message }, 'raft node failed');
      this.rejectReady(e);
    });

    await node.start();
    // A single-voter cluster need not wait an election timeout for its only member to campaign
    // (checked once the first Ready batch applied the membership from the log).
    setTimeout(() => {
      const st = node.status();
      if (st.voters.length === 1 && st.voters[0] === this.memberId && st.leader === NONE) node.campaign();
    }, 50).unref();

    const proposer = new Proposer({
      node,
      sm,
      requestTimeoutMs,
      leaderWaitMs: 2 * config.electionTimeoutMs,
      onProposal: (o) => (o === 'committed' ? metrics.proposalsCommitted.inc() : metrics.proposalsFailed.inc()),
    });
    const ctx: ServiceContext = {
      memberId: this.memberId,
      clusterId: this.clusterId,
      node,
      sm,
      proposer,
      headers: new HeaderSource(this.clusterId, this.memberId, node, sm),
      quota: new Quota(sm, proposer, this.memberId, config.quotaBackendBytes),
      leases: new LeaseKeeper({ node, sm, proposer, extendMs: config.electionTimeoutMs, logger: log.child({ component: 'lease' }) }),
      leader: new LeaderClient(node, sm, urlDialer(this.clientTls, CLIENT_TLS_FLAGS)),
      membership: new Membership({ node, sm, proposer, clusterToken: config.initialClusterToken, requestTimeoutMs }),
      maxRequestBytes: config.maxRequestBytes,
      minLeaseTtlSec: Math.ceil((1.5 * config.electionTimeoutMs) / 1000),
      requestTimeoutMs,
      logger: log.child({ component: 'grpc' }),
    };
    this.ctx = ctx;
    this.compactor = new AutoCompactor({
      node,
      sm,
      proposer,
      mode: config.autoCompactionMode,
      retention: config.autoCompactionRetention,
      logger: log.child({ component: 'compactor' }),
    });
    this.httpServers = await startMetricsServers(config.listenMetricsUrls, metrics, () => this.health());
    this.publish(founding, hooks).catch((e: unknown) => this.rejectReady(e as Error));
  }

  /** Records the founding table (if needed) and this member's attributes, then serves clients. */
  private async publish(founding: Member[], hooks: StoreMemberHooks): Promise<void> {
    const ctx = this.ctx!;
    const { config, sm } = this;
    const published = (): boolean => {
      const me = sm.members.get(this.memberId);
      return me !== undefined && me.name === config.name && me.clientUrls.join(',') === config.advertiseClientUrls.join(',');
    };
    let attempt = 0;
    while (this.stopping === undefined && !published()) {
      if (attempt++ > 0) await new Promise((r) => setTimeout(r, 500));
      if (this.stopping !== undefined) return;
      try {
        if (!sm.members.initialized && config.initialClusterState === 'new' && founding.some((m) => m.id === this.memberId)) {
          await ctx.proposer.propose({ clusterInit: { members: founding } });
        }
        await ctx.proposer.propose({ memberAttributes: { id: this.memberId, name: config.name, clientUrls: config.advertiseClientUrls } });
      } catch (e) {
        if (attempt % 10 === 1) this.log.warn({ err: (e as Error).message }, 'publishing this member to the cluster failed; retrying');
      }
    }
    if (this.stopping !== undefined) return;
    await this.serve(hooks);
    const tls = this.clientTls === undefined ? 'none' : this.clientTls.clientCertAuth ? 'client certificates required' : 'server only';
    this.log.info({ clientUrls: config.listenClientUrls, tls }, 'ready to serve client requests');
    this.resolveReady();
  }

  private async serve(hooks: StoreMemberHooks): Promise<void> {
    const ctx = this.ctx!;
    const server = new grpc.Server({
      'grpc.max_receive_message_length': this.config.maxRequestBytes + GRPC_OVERHEAD_BYTES,
      'grpc.max_send_message_length': -1,
      'grpc.max_concurrent_streams': 2 ** 31 - 1,
    });
    server.addService(KVService, kvService(ctx));
    server.addService(LeaseService, leaseService(ctx));
    server.addService(ClusterService, clusterService(ctx));
    server.addService(MaintenanceService, maintenanceService(ctx));
    const { clusterId, memberId } = ctx;
    server.addService(
      WatchService,
      createWatchService({
        hub: this.watchHub,
        header: () => ({ clusterId, memberId, revision: 0, raftTerm: ctx.headers.raftTerm() }),
        hasLeader: () => this.node.leaderId !== NONE,
        signal: this.watchStop.signal,
        onError: (e) => this.log.error({ err: e }, 'watch stream failed'),
      }),
    );
    hooks.services?.(ctx, server);
    for (const url of this.config.listenClientUrls) {
      const address = grpcAddressOf(url);
      // config.ts guarantees TLS material for every https URL.
      const creds = schemeOf(url) === 'https' ? serverCredentials(this.clientTls!) : grpc.ServerCredentials.createInsecure();
      await new Promise<void>((resolve, reject) => {
        server.bindAsync(address, creds, (err) => (err === null ? resolve() : reject(new Error(`cannot listen on ${url}: ${err.message}`))));
      });
    }
    this.grpcServer = server;
  }

  private onApplied(a: AppliedEntry, peers: PeerSync): void {
    if (a.result.ok && a.result.response.type === 'members') peers.sync(this.node);
    if (a.result.ok && a.request.memberRemove?.id === this.memberId) this.onRemoved();
  }

  /** This member was removed from the cluster: leave once Raft no longer counts it (bounded). */
  private onRemoved(): void {
    this.log.warn('this member was removed from the cluster; stopping');
    const deadline = Date.now() + 10_000;
    const check = (): void => {
      const st = this.node.status();
      const stillIn = st.voters.includes(this.memberId) || st.learners.includes(this.memberId);
      if (stillIn && Date.now() < deadline) {
        setTimeout(check, 100);
        return;
      }
      for (const l of this.removedListeners) l();
    };
    setTimeout(check, 100);
  }

  /** Called once when this member has been removed from the cluster. */
  onRemovedFromCluster(listener: () => void): void {
    this.removedListeners.add(listener);
  }

  health(): Health {
    if (this.node.leaderId === NONE) return { health: false, reason: 'RAFT NO LEADER' };
    const alarms = this.sm.alarms.list();
    if (alarms.length > 0) return { health: false, reason: `ALARM ${alarms.map((a) => (a.alarm === 1 ? 'NOSPACE' : 'CORRUPT')).join(',')}` };
    return { health: true, reason: '' };
  }

  /** Stops serving, hands leadership over (if leading), stops Raft and closes storage. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.rejectReady(new Error('stopped'));
    this.watchStop.abort();
    const server = this.grpcServer;
    if (server !== undefined) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    }
    this.ctx?.leases.stop();
    this.ctx?.leader.close();
    this.compactor?.stop();
    await this.node.stop();
    for (const s of this.httpServers) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    this.log.info('stopped');
  }
}
