// The store member's Prometheus metrics (prom-client, one registry per member: no global
// state) and the HTTP server for /metrics and /health (etcd's paths).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NodeStorage, PersistBatch, Snapshot, StateMachine } from '../../raft/index.js';
import { parseUrl } from './peer-url.js';

export class StoreMetrics {
  readonly registry = new Registry();
  readonly proposalsCommitted = new Counter({ name: 'shoal_store_proposals_committed_total', help: 'Proposals applied on this member', registers: [this.registry] });
  readonly proposalsFailed = new Counter({ name: 'shoal_store_proposals_failed_total', help: 'Proposals that failed (no leader, leader changed, timeout, stopped)', registers: [this.registry] });
  readonly applyDuration = new Histogram({
    name: 'shoal_store_apply_duration_seconds',
    help: 'Time to apply one batch of committed entries to the state machine',
    buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly walFsyncDuration = new Histogram({
    name: 'shoal_store_wal_fsync_duration_seconds',
    help: 'Time of one durable write of a Raft batch (WAL append + fsync)',
    buckets: [0.0001, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1],
    registers: [this.registry],
  });
  readonly leaderChanges = new Counter({ name: 'shoal_store_leader_changes_seen_total', help: 'Leader changes seen by this member', registers: [this.registry] });
  readonly hasLeader = new Gauge({ name: 'shoal_store_has_leader', help: '1 if a leader is known', registers: [this.registry] });
  readonly isLeader = new Gauge({ name: 'shoal_store_is_leader', help: '1 if this member leads', registers: [this.registry] });
  readonly dbSize: Gauge;

  constructor(dbSize: () => number) {
    this.dbSize = new Gauge({
      name: 'shoal_store_db_total_size_in_bytes',
      help: 'Size of the key-value state, as Status reports dbSize',
      registers: [this.registry],
      collect() {
        this.set(dbSize());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** The state machine with its apply time measured. */
  timedStateMachine(sm: StateMachine): StateMachine {
    const h = this.applyDuration;
    return {
      apply(entries) {
        const end = h.startTimer();
        try {
          return sm.apply(entries);
        } finally {
          end();
        }
      },
      snapshot: () => sm.snapshot(),
      restore: (d) => sm.restore(d),
    };
  }

  /** The node storage with each save (WAL write + fsync) timed. */
  timedStorage(s: NodeStorage): NodeStorage {
    const h = this.walFsyncDuration;
    return {
      get storage() {
        return s.storage;
      },
      async save(batch: PersistBatch) {
        const end = h.startTimer();
        try {
          await s.save(batch);
        } finally {
          end();
        }
      },
      saveSnapshotAndCompact: (snap: Snapshot) => s.saveSnapshotAndCompact(snap),
      close: () => s.close(),
    };
  }
}

export interface Health {
  health: boolean;
  reason: string;
}

/** Serves /metrics and /health on each URL; resolves once all listen. */
export async function startMetricsServers(urls: readonly string[], metrics: StoreMetrics, health: () => Health): Promise<Server[]> {
  const servers: Server[] = [];
  for (const url of urls) {
    const { hostPort } = parseUrl(url);
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/metrics') {
        metrics.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': metrics.registry.contentType });
            res.end(text);
          },
          (e: unknown) => {
            res.writeHead(500);
            res.end(String(e));
          },
        );
      } else if (path === '/health') {
        const h = health();
        res.writeHead(h.health ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ health: String(h.health), reason: h.reason }));
      } else {
        res.writeHead(404);
        res.end('not found\n');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(hostPort.port, hostPort.host, () => resolve());
    });
    servers.push(server);
  }
  return servers;
}
