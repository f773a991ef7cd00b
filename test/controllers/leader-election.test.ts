// Leader election through a Lease against an in-process API server: one of two candidates
// leads; a graceful stop hands over at once; a leader that stops renewing (its client dies) is
// replaced after the lease expires; the loser stops its work before the winner starts.
import t from 'tap';
import type { Lease } from '../../api/index.js';
import { ShoalClient, systemClock } from '../../client/index.js';
import { LeaderElector } from '../../control-plane/controllers/index.js';
import { log, startCluster, until } from './helpers/cluster.js';

interface Candidate {
  elector: LeaderElector;
  client: ShoalClient;
  log: string[];
}

function candidate(addresses: string[], identity: string, timeline: string[], leaseDurationMs = 2000): Candidate {
  const client = new ShoalClient({ servers: addresses, namespace: 'default' });
  const events: string[] = [];
  const elector = new LeaderElector({
    client,
    clock: systemClock,
    log,
    identity,
    name: 'test-lease',
    leaseDurationMs,
    renewDeadlineMs: 1000,
    retryPeriodMs: 100,
    onStartedLeading: () => {
      events.push('start');
      timeline.push(`${identity} start`);
    },
    onStoppedLeading: () => {
      events.push('stop');
      timeline.push(`${identity} stop`);
    },
  });
  return { elector, client, log: events };
}

t.test('leader election - config is checked', async (t) => {
  const { client } = await startCluster(t);
  const base = { client, clock: systemClock, log, identity: 'a', name: 'x', onStartedLeading: () => undefined, onStoppedLeading: () => undefined };
  t.throws(() => new LeaderElector({ ...base, identity: '' }), { code: 'LEADER_ELECTION_CONFIG', name: 'LeaderElectionError' });
  t.throws(() => new LeaderElector({ ...base, leaseDurationMs: 2000, renewDeadlineMs: 3000 }), /renewDeadlineMs/);
  t.throws(() => new LeaderElector({ ...base, renewDeadlineMs: 1000, retryPeriodMs: 1000 }), /retryPeriodMs/);
});

t.test('leader election - one leader; graceful stop hands over; the lease records it', async (t) => {
  const { servers, client } = await startCluster(t);
  const timeline: string[] = [];
  const a = candidate(servers.addresses, 'a', timeline);
  const b = candidate(servers.addresses, 'b', timeline);
  t.teardown(async () => {
    await a.elector.stop();
    await b.elector.stop();
    a.client.close();
    b.client.close();
  });
  a.elector.start();
  await until(t, 'a leads', () => a.elector.isLeader());
  b.elector.start();
  await until(t, 'b sees a as leader', () => b.elector.leader === 'a');
  t.equal(b.elector.isLeader(), false, 'b stands by');
  const lease = await client.resource<Lease>('leases', 'kube-system').get('test-lease');
  t.match(lease.spec, { holderIdentity: 'a', leaseDurationSeconds: 2, leaseTransitions: 0 });

  const before = Date.now();
  await a.elector.stop();
  t.same(a.log, ['start', 'stop']);
  await until(t, 'b leads', () => b.elector.isLeader());
  // Released, not expired: well under the 2 s lease (generous: the machine is shared).
  t.ok(Date.now() - before < 10_000, 'handover after release');
  const after = await client.resource<Lease>('leases', 'kube-system').get('test-lease');
  t.match(after.spec, { holderIdentity: 'b', leaseTransitions: 1 });
  t.same(timeline, ['a start', 'a stop', 'b start'], 'a stopped before b started');
});

t.test('leader election - a leader that cannot renew is replaced after the lease expires', async (t) => {
  const { servers } = await startCluster(t);
  const timeline: string[] = [];
  const a = candidate(servers.addresses, 'a', timeline);
  const b = candidate(servers.addresses, 'b', timeline);
  t.teardown(async () => {
    await a.elector.stop();
    await b.elector.stop();
    b.client.close();
  });
  a.elector.start();
  await until(t, 'a leads', () => a.elector.isLeader());
  b.elector.start();
  await until(t, 'b sees a', () => b.elector.leader === 'a');
  // a's connection dies: it cannot renew (nor release).
  a.client.close();
  await until(t, 'a gives up', () => !a.elector.isLeader());
  await until(t, 'b takes over', () => b.elector.isLeader());
  t.same(timeline, ['a start', 'a stop', 'b start'], 'a stopped (renew deadline) before b started (lease expiry)');
});

t.test('leader election - a leader that sees another holder stops at once, and takes over again after that lease expires', async (t) => {
  const { servers, client } = await startCluster(t);
  const timeline: string[] = [];
  const a = candidate(servers.addresses, 'a', timeline);
  t.teardown(async () => {
    await a.elector.stop();
    a.client.close();
  });
  a.elector.start();
  await until(t, 'a leads', () => a.elector.isLeader());
  await client.resource<Lease>('leases', 'kube-system').updateWithRetry('test-lease', (l) => ({ ...l, spec: { ...l.spec, holderIdentity: 'intruder', renewTime: new Date().toISOString() } }));
  await until(t, 'a stops', () => !a.elector.isLeader());
  t.equal(a.elector.leader, 'intruder');
  await until(t, 'a leads again after the intruder lease expired', () => a.elector.isLeader());
  t.same(timeline, ['a start', 'a stop', 'a start']);
  const l = await client.resource<Lease>('leases', 'kube-system').get('test-lease');
  t.equal(l.spec.leaseTransitions, 1, 'one transition (intruder → a)');
});

t.test('leader election - a leader whose renew call hangs stops leading at its renew deadline', async (t) => {
  const { servers } = await startCluster(t);
  // A loopback proxy to the API server that can be frozen: connections stay open, nothing moves
  // (a wedged API server or network), so calls hang instead of failing fast.
  const { createServer, connect } = await import('node:net');
  let frozen = false;
  const sockets = new Set<import('node:net').Socket>();
  const proxy = createServer((down) => {
    const [host, port] = (servers.addresses[0] ?? '').split(':');
    const up = connect(Number(port), host ?? '127.0.0.1');
    for (const s of [down, up]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    down.on('data', (d) => void (frozen || up.write(d)));
    up.on('data', (d) => void (frozen || down.write(d)));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    proxy.close();
  });
  const address = proxy.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const timeline: string[] = [];
  // Calls would wait 30 s each (the client's default deadline) without the elector's own bound.
  const a = candidate([`127.0.0.1:${port}`], 'a', timeline, 3000);
  t.teardown(async () => {
    frozen = false;
    await a.elector.stop();
    a.client.close();
  });
  a.elector.start();
  await until(t, 'a leads', () => a.elector.isLeader());
  frozen = true;
  await until(t, 'a stops leading though its call never returns', () => !a.elector.isLeader(), 10_000);
  t.same(timeline, ['a start', 'a stop']);
});
