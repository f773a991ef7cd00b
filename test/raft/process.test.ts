// Three members of the demo key-value store as separate OS processes on 127.0.0.1: gRPC
// between them, WAL and snapshot files with fsync on. The leader is killed with SIGKILL
// mid-stream; every write that was acknowledged must survive on all three members.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { NodeId } from '../../raft/core/types.js';
import { LocalCluster } from '../../raft/demo/local-cluster.js';

const enc = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('raft processes - every acknowledged write survives kill -9 of the leader', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-raft-proc-'));
  const cluster = await LocalCluster.create({ baseDir: dir, tickMs: 50, electionTick: 10, snapshotEvery: 50 });
  t.teardown(async () => {
    await cluster.close();
    if (!t.passing() || process.env["SHOAL_KEEP_LOGS"]) {
      for (const id of cluster.ids()) process.stderr.write(`--- member ${id} log (tail) ---\n${cluster.logTail(id, 40)}\n`);
      process.stderr.write(`(data kept in ${dir})\n`);
    } else {
      await rm(dir, { recursive: true, force: true });
    }
  });

  cluster.startAll();
  const first = await cluster.waitForLeader({ timeoutMs: 30_000 });
  t.pass(`member ${first} leads`);

  /** key → value of every write that was answered 200 */
  const acked = new Map<string, string>();
  let attempts = 0;
  /** Writes keys prefix0..prefix(n-1) through `ids` (round robin), `parallel` at a time, retrying refused ones. */
  const write = async (prefix: string, n: number, ids: () => NodeId[], parallel = 8, deadlineMs = 20_000): Promise<number> => {
    const deadline = Date.now() + deadlineMs;
    let next = 0;
    let ok = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        const key = `${prefix}${i}`;
        const value = `${key}=${i * 7919}`;
        for (let attempt = 0; Date.now() < deadline && attempt < 200; attempt++) {
          const targets = ids();
          const target = targets[(i + attempt) % targets.length]!;
          attempts++;
          const r = await cluster.client.put(cluster.member(target).url, key, enc.encode(value), 1000);
          if (r.status === 200) {
            acked.set(key, value);
            ok++;
            break;
          }
          await sleep(20);
        }
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return ok;
  };

  t.equal(await write('a', 100, () => [first]), 100, 'first 100 writes through the leader acknowledged');

  // Kill the leader (asked again: a busy machine may have moved it) while writes are in flight
  // on every member.
  const victim = await cluster.waitForLeader({ timeoutMs: 20_000 });
  const survivors = cluster.ids().filter((id) => id !== victim);
  const inFlight = write('b', 60, () => cluster.ids(), 6, 15_000);
  await sleep(100);
  await cluster.kill(victim, 'SIGKILL');
  const second = await cluster.waitForLeader({ exclude: [victim], timeoutMs: 20_000 });
  t.pass(`member ${second} leads after member ${victim} was killed`);
  await inFlight; // some of these may have failed: only the acknowledged ones count

  t.equal(await write('c', 100, () => survivors), 100, 'writes after the failover acknowledged');

  cluster.start(victim);
  t.equal(await write('d', 20, () => cluster.ids()), 20, 'writes with the restarted member back acknowledged');

  // Every acknowledged write is on every member, the restarted one included: a linearizable
  // read on a member returns only after that member applied everything committed before it.
  for (const id of cluster.ids()) {
    let all: Record<string, string> | undefined;
    const deadline = Date.now() + 20_000;
    for (let i = 0; i < 200 && Date.now() < deadline && all === undefined; i++) {
      all = await cluster.client.all(cluster.member(id).url, 2000);
      if (all === undefined) await sleep(100);
    }
    if (!all) {
      t.fail(`member ${id} never answered a linearizable read`);
      continue;
    }
    const missing = [...acked].filter(([k, v]) => all![k] !== v);
    t.same(missing, [], `member ${id} has all ${acked.size} acknowledged writes with their values`);
  }
  t.comment(`${acked.size} writes acknowledged in ${attempts} attempts`);
});
