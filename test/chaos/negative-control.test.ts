// The harness must be able to fail. Serializable reads are answered from a member's local state,
// so a member that was paused while the others moved on answers with old data for a moment after
// it resumes: a real etcd producing a real non-linearizable history, which the checker must reject.
import t from 'tap';
import { Etcd3 } from 'etcd3';
import { noop } from 'cockatiel';
import { checkHistory, describeResult, HistoryRecorder } from '../linearizability/index.js';
import { EtcdCluster } from './index.js';

t.test('negative control - a stale serializable read from a resumed etcd member is rejected', { timeout: 120_000 }, async (t) => {
  const cluster = new EtcdCluster();
  t.teardown(() => cluster.stop());
  await cluster.start();
  const leader = await cluster.leader();
  const lead = cluster.members().find((m) => m.name === leader);
  const follower = cluster.members().find((m) => m.name !== leader);
  if (lead === undefined || follower === undefined) throw new Error('no leader');
  const opts = { faultHandling: { host: () => noop, global: noop } };
  const toLeader = new Etcd3({ hosts: [lead.clientUrl], ...opts });
  const toFollower = new Etcd3({ hosts: [follower.clientUrl], ...opts });
  t.teardown(() => {
    toLeader.close();
    toFollower.close();
  });
  const key = Buffer.from('/x');
  const recorder = new HistoryRecorder();
  const write = async (value: string): Promise<void> => {
    const op = recorder.invoke(0, '/x', { kind: 'write', value });
    await toLeader.kv.put({ key, value: Buffer.from(value) }, { deadline: Date.now() + 5000 });
    op.ok({ kind: 'write' });
  };

  // Up to 10 tries (each took effect in every local run; one is enough).
  let stale = 0;
  for (let i = 0; i < 10 && stale === 0; i++) {
    await write(`a${i}`);
    await toFollower.kv.range({ key, serializable: true }, { deadline: Date.now() + 5000 }); // the follower has a${i}
    await cluster.pause(follower.name);
    await write(`b${i}`); // acknowledged by the leader and the third member
    const op = recorder.invoke(1, '/x', { kind: 'read' });
    const pending = toFollower.kv.range({ key, serializable: true }, { deadline: Date.now() + 5000 });
    await new Promise((r) => setTimeout(r, 50));
    await cluster.resume(follower.name);
    const value = (await pending).kvs[0]?.value.toString() ?? null;
    op.ok({ kind: 'read', value });
    if (value !== `b${i}`) stale++;
  }
  t.ok(stale > 0, 'a stale read happened');

  const r = checkHistory(recorder.operations());
  t.equal(r.verdict, 'violation', 'the checker rejects the history');
  if (r.verdict === 'violation') {
    t.equal(r.explanation.blocking.client, 1, 'the stale read is the operation that cannot be placed');
    t.comment(describeResult(r, recorder.operations()[0]?.invokedAt ?? 0n));
  }
});
