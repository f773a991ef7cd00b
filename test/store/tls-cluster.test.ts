// A 3-member store on https client and peer URLs with client-cert-auth on both ports, used the
// way an operator uses etcd: etcdctl --cacert/--cert/--key works; no certificate, a certificate
// from another CA and an expired certificate are refused; members replicate over mTLS and the
// cluster keeps taking writes with a member down. A follower reaches the leader's client port
// over TLS too (lease keep-alives and member add go through it).
import t from 'tap';
import { connect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { DAY_MS } from '../../control-plane/pki/validity.js';
import { createTestPki, realPkiDeps } from '../support/pki.js';
import type { PairPaths } from '../../control-plane/pki/index.js';
import { ETCDCTL, run, StoreCluster } from './helpers/store-cluster.js';
import type { RunResult } from './helpers/store-cluster.js';

interface StatusJson {
  Endpoint: string;
  Status: { header: { member_id: number }; leader: number };
}
interface MemberJson {
  name?: string;
  peerURLs: string[];
  clientURLs?: string[];
}

const tlsArgs = (ca: string, p?: PairPaths): string[] => ['--cacert', ca, ...(p === undefined ? [] : ['--cert', p.cert, '--key', p.key])];

/** Opens TLS to a port, sends the HTTP/2 preface and reports whether the server answered or why not. */
function tlsProbe(port: number, ca: string, client?: PairPaths): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({
      host: '127.0.0.1',
      port,
      ca: readFileSync(ca),
      ALPNProtocols: ['h2'],
      ...(client === undefined ? {} : { cert: readFileSync(client.cert), key: readFileSync(client.key) }),
    });
    const done = (outcome: string): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('no answer'), 10_000);
    s.on('error', (e) => done(`error: ${e.message}`));
    s.on('close', () => done('closed'));
    s.on('data', () => done('accepted'));
    s.on('secureConnect', () => s.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
  });
}

t.test('store over mTLS', async (t) => {
  const pki = await createTestPki(t);
  const other = await createTestPki(t, 'other');
  const names = ['m1', 'm2', 'm3'];
  const server = new Map<string, PairPaths>();
  const peer = new Map<string, PairPaths>();
  for (const n of names) {
    // The client-port certificate also dials the leader's client port, hence 'peer' (both usages).
    server.set(n, await pki.serving(`store-server-${n}`, { usage: 'peer' }));
    peer.set(n, await pki.serving(`store-peer-${n}`, { usage: 'peer' }));
  }
  const root = await pki.client('root', 'root', ['system:masters']);
  const ca = pki.caPaths.cert;
  const c = await StoreCluster.start(t, {
    tls: {
      memberArgs: (m) => [
        '--cert-file', server.get(m.name)!.cert, '--key-file', server.get(m.name)!.key,
        '--trusted-ca-file', ca, '--client-cert-auth',
        '--peer-cert-file', peer.get(m.name)!.cert, '--peer-key-file', peer.get(m.name)!.key,
        '--peer-trusted-ca-file', ca, '--peer-client-cert-auth',
      ],
      ctlArgs: tlsArgs(ca, root),
    },
  });
  // Refused dials are retried by etcdctl until its command timeout: keep that short.
  const ctlAs = (identity: string[], args: string[], endpoints = c.endpoints()) =>
    run(ETCDCTL, ['--endpoints', endpoints, '--dial-timeout=2s', '--command-timeout=3s', ...identity, ...args], { env: { ETCDCTL_API: '3' }, timeoutMs: 30_000 });

  await t.test('tls - etcdctl with the right certificate: put/get, member list, endpoint status on all three', async (t) => {
    t.equal((await c.ctl(['put', '/registry/secrets/default/s', 'v1'])).trim(), 'OK');
    t.match(await c.ctl(['get', '/registry/secrets/default/s', '--print-value-only']), /^v1$/m);
    const members = (JSON.parse(await c.ctl(['member', 'list', '-w', 'json'])) as { members: MemberJson[] }).members;
    t.equal(members.length, 3);
    for (const m of members) {
      t.match(m.peerURLs[0], /^https:\/\/127\.0\.0\.1:\d+$/, `${m.name} peer URL is https`);
      t.match(m.clientURLs?.[0], /^https:\/\/127\.0\.0\.1:\d+$/, `${m.name} client URL is https`);
    }
    const st = JSON.parse(await c.ctl(['endpoint', 'status', '-w', 'json'])) as StatusJson[];
    t.equal(st.length, 3, 'every endpoint answers');
    t.equal(new Set(st.map((s) => s.Status.leader)).size, 1, 'one leader');
    // each member has the write (serializable reads answer from the member's own replica)
    for (const m of c.members) {
      t.match(await c.ctl(['get', '/registry/secrets/default/s', '--print-value-only', '--consistency=s'], { endpoints: c.endpoint(m.name) }), /^v1$/m, `${m.name} replicated over mTLS`);
    }
  });

  await t.test('tls - clients without an acceptable certificate are refused', async (t) => {
    const foreign = await other.client('root-other', 'root', ['system:masters']);
    const now = realPkiDeps.now().getTime();
    const expired = await pki.client('root-expired', 'root', ['system:masters'], {
      deps: { ...realPkiDeps, now: () => new Date(now - 3 * DAY_MS) },
      validity: { validityMs: DAY_MS },
    });
    const get = ['get', '/registry/secrets/default/s'];
    const cases: [string, Promise<RunResult>][] = [
      ['no client certificate', ctlAs(tlsArgs(ca), get)],
      ['plaintext to a TLS port', ctlAs([], get, c.endpoints().replaceAll('https://', ''))],
      ['a client certificate from another CA', ctlAs(tlsArgs(ca, foreign), get)],
      ['an expired client certificate', ctlAs(tlsArgs(ca, expired), get)],
      ['a client that does not trust the cluster CA', ctlAs(tlsArgs(other.caPaths.cert, root), get)],
    ];
    for (const [what, p] of cases) {
      const r = await p;
      t.not(r.code, 0, `${what}: refused`);
      t.notMatch(r.stdout, /v1/, `${what}: nothing read`);
      t.match(r.stderr, /certificate|tls|handshake|transport|deadline exceeded|connection/i, `${what}: ${r.stderr.split('\n').find((l) => /Error/.test(l)) ?? r.stderr.slice(-200)}`);
    }
  });

  await t.test('tls - both ports refuse TLS clients without a valid certificate of the cluster CA', async (t) => {
    const foreign = await other.client('probe-other', 'root');
    const expired = await pki.client('probe-expired', 'root', [], { deps: { ...realPkiDeps, now: () => new Date(Date.now() - 3 * DAY_MS) }, validity: { validityMs: DAY_MS } });
    const m1 = c.member('m1');
    for (const [port, side] of [[m1.clientPort, 'client'], [m1.peerPort, 'peer']] as const) {
      t.equal(await tlsProbe(port, ca, root), 'accepted', `${side} port: a certificate of the cluster CA is accepted`);
      t.match(await tlsProbe(port, ca), /certificate required/, `${side} port: no certificate`);
      // The server drops these handshakes; whether the alert reaches Node's client before the
      // close is a race, so the reason is matched only when it arrives.
      t.match(await tlsProbe(port, ca, foreign), /^(error: .*(unknown ca|bad certificate)|closed)/, `${side} port: another CA`);
      t.match(await tlsProbe(port, ca, expired), /^(error: .*(certificate expired|bad certificate)|closed)/, `${side} port: expired`);
    }
  });

  await t.test('tls - a follower reaches the leader over TLS (lease keep-alive, member add)', async (t) => {
    const leader = await c.leaderName();
    const follower = c.members.find((m) => m.name !== leader)!.name;
    const ep = c.endpoint(follower);
    const grant = await c.ctl(['lease', 'grant', '30'], { endpoints: ep });
    const id = /lease ([0-9a-f]+) granted/.exec(grant)?.[1];
    t.ok(id, grant);
    t.match(await c.ctl(['lease', 'keep-alive', '--once', id!], { endpoints: ep }), /keepalived with TTL/);
    t.match(await c.ctl(['lease', 'timetolive', id!], { endpoints: ep }), /remaining\(\d+s\)/);
    const m4 = await c.newMemberSpec('m4');
    const added = await c.ctl(['member', 'add', 'm4', `--peer-urls=https://127.0.0.1:${m4.peerPort}`, '--learner'], { endpoints: ep });
    const m4id = /Member\s+([0-9a-f]+) added/.exec(added)?.[1];
    t.ok(m4id, added);
    t.match(added, new RegExp(`m4=https://127\\.0\\.0\\.1:${m4.peerPort}`));
    t.match(await c.ctl(['member', 'remove', m4id!], { endpoints: ep }), /removed from cluster/);
    c.members.splice(c.members.indexOf(m4), 1);
  });

  await t.test('tls - writes go on with a member killed; it catches up over mTLS when back', async (t) => {
    const leader = await c.leaderName();
    await c.kill(leader);
    await c.waitReady();
    // The first write after an election may meet "leader changed"; clients retry, so does this (bounded).
    let put = await c.etcdctl(['put', '/after-kill', 'v2']);
    for (let i = 0; i < 20 && put.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      put = await c.etcdctl(['put', '/after-kill', 'v2']);
    }
    t.equal(put.stdout.trim(), 'OK', put.stderr);
    c.restart(leader);
    await c.waitReady();
    let got = '';
    for (let i = 0; i < 50 && !got.includes('v2'); i++) {
      got = (await c.etcdctl(['get', '/after-kill', '--print-value-only', '--consistency=s'], { endpoints: c.endpoint(leader) })).stdout;
      if (!got.includes('v2')) await new Promise((r) => setTimeout(r, 200));
    }
    t.match(got, /v2/, 'the restarted member has the write made without it');
  });
});
