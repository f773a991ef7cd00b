import fs from 'node:fs';
import t from 'tap';
import { Etcd3 } from 'etcd3';
import { noop } from 'cockatiel';
import { ClusterError, EtcdCluster } from './index.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Process state letter from /proc (R, S, T for stopped, ...). */
const procState = (pid: number): string => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').charAt(0);

async function until<T>(what: string, ms: number, f: () => Promise<T | null>): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await f().catch(() => null);
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

t.test('etcd cluster - start, kill the leader, pause, restart, stop leaves nothing behind', { timeout: 120_000 }, async (t) => {
  const cluster = new EtcdCluster();
  t.teardown(() => cluster.stop());
  await cluster.start();
  const pids: number[] = [];

  const ms = cluster.members();
  t.equal(ms.length, 3);
  for (const m of ms) {
    t.match(m.clientUrl, /^http:\/\/127\.0\.0\.1:\d+$/, `${m.name} on loopback`);
    t.equal(m.state, 'running');
    t.ok(m.pid !== null && alive(m.pid), `${m.name} has a live pid`);
    if (m.pid !== null) pids.push(m.pid);
  }
  const dir = cluster.dir;
  t.ok(dir !== null && fs.existsSync(dir), 'a temporary directory holds the data');

  const client = new Etcd3({ hosts: ms.map((m) => m.clientUrl), faultHandling: { host: () => noop, global: noop } });
  t.teardown(() => client.close());
  await client.kv.put({ key: Buffer.from('/a'), value: Buffer.from('1') });

  const leader = await cluster.leader();
  t.ok(leader !== null, `a leader: ${leader}`);
  if (leader === null) return;
  const leaderPid = cluster.members().find((m) => m.name === leader)?.pid as number;
  await cluster.kill(leader);
  t.equal(cluster.members().find((m) => m.name === leader)?.state, 'down');
  t.notOk(alive(leaderPid), 'the killed process is gone');
  const next = await until('new leader', 15_000, async () => {
    const l = await cluster.leader();
    return l !== null && l !== leader ? l : null;
  });
  t.not(next, leader, `another member leads: ${next}`);

  const follower = cluster.members().find((m) => m.state === 'running' && m.name !== next);
  if (follower === undefined || follower.pid === null) throw new Error('no running follower');
  await cluster.pause(follower.name);
  t.equal(procState(follower.pid), 'T', 'SIGSTOP stops the process');
  t.equal(cluster.members().find((m) => m.name === follower.name)?.state, 'paused');
  await t.rejects(cluster.pause(follower.name), ClusterError, 'a paused member cannot be paused again');
  await cluster.resume(follower.name);
  t.not(procState(follower.pid), 'T', 'SIGCONT resumes it');

  await cluster.restart(leader);
  const back = cluster.members().find((m) => m.name === leader);
  t.equal(back?.state, 'running');
  t.ok(back?.pid !== null && back?.pid !== leaderPid, 'restarted as a new process');
  if (back?.pid) pids.push(back.pid);
  const only = new Etcd3({ hosts: [back?.clientUrl ?? ''], faultHandling: { host: () => noop, global: noop } });
  t.teardown(() => only.close());
  const value = await until('restarted member serves its data', 15_000, async () => {
    const r = await only.kv.range({ key: Buffer.from('/a'), serializable: true }, { deadline: Date.now() + 1000 });
    return r.kvs[0]?.value.toString() ?? null;
  });
  t.equal(value, '1', 'the restarted member kept its data');

  await t.rejects(cluster.kill('nope'), { code: 'unknown-member' });

  await cluster.stop();
  await cluster.stop(); // idempotent
  for (const pid of pids) t.notOk(alive(pid), `pid ${pid} is gone`);
  for (const m of cluster.members()) t.equal(m.pid, null);
  t.notOk(dir !== null && fs.existsSync(dir), 'the temporary directory is removed');
});

t.test('etcd cluster - a start that cannot succeed still leaves nothing behind', async (t) => {
  const cluster = new EtcdCluster({ command: ['/bin/false'], startTimeoutMs: 2000 });
  await t.rejects(cluster.start(), ClusterError);
  await cluster.stop();
  t.same(
    cluster.members().map((m) => m.pid),
    [null, null, null],
  );
});
