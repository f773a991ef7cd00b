import t from 'tap';
import { Nemesis } from './index.js';
import { MemoryCluster } from './memory-cluster.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('nemesis - kills the leader most often, never more than maxFaulty at once, and heals everything', async (t) => {
  const cluster = new MemoryCluster();
  await cluster.start();
  let maxFaultySeen = 0;
  const nemesis = new Nemesis({
    cluster,
    seed: 3,
    intervalMs: 4,
    pauseMs: [1, 3],
    log: () => {
      maxFaultySeen = Math.max(maxFaultySeen, cluster.members().filter((m) => m.state !== 'running').length);
    },
  });
  nemesis.start();
  await sleep(1500);
  await nemesis.stop();
  const a = nemesis.actions;
  const kills = a.filter((x) => x.kind === 'kill');
  const pauses = a.filter((x) => x.kind === 'pause');
  t.ok(kills.length >= 10, `${kills.length} kills`);
  t.ok(pauses.length >= 5, `${pauses.length} pauses`);
  t.ok(a.filter((x) => x.kind === 'restart').length >= kills.length - 1, 'killed members are restarted');
  t.equal(a.filter((x) => x.kind === 'resume').length, pauses.length, 'every pause is resumed');
  const leaderKills = kills.filter((x) => x.wasLeader).length;
  t.ok(leaderKills > kills.length / 2, `the leader most often: ${leaderKills} of ${kills.length}`);
  t.equal(maxFaultySeen, 1, 'one member faulty at a time');
  t.ok(
    a.every((x, i) => i === 0 || x.atMs >= (a[i - 1]?.atMs ?? 0)),
    'logged in time order',
  );
  t.same(
    a.filter((x) => x.error !== null),
    [],
  );

  await nemesis.heal();
  t.same(
    cluster.members().map((m) => m.state),
    ['running', 'running', 'running'],
    'healed',
  );
});

t.test('nemesis - stop() interrupts the wait between actions', async (t) => {
  const cluster = new MemoryCluster();
  await cluster.start();
  const nemesis = new Nemesis({ cluster, seed: 1, intervalMs: 60_000 });
  nemesis.start();
  const t0 = performance.now();
  await nemesis.stop();
  t.ok(performance.now() - t0 < 1000, 'stopped at once');
  t.same(nemesis.actions, []);
});

t.test('nemesis - same seed, same choices', async (t) => {
  const run = async (): Promise<string[]> => {
    const cluster = new MemoryCluster();
    await cluster.start();
    const nemesis = new Nemesis({ cluster, seed: 42, intervalMs: 2, pauseMs: [1, 1] });
    nemesis.start();
    while (nemesis.actions.length < 30) await sleep(5);
    await nemesis.stop();
    return cluster.calls.slice(0, 30);
  };
  t.same(await run(), await run());
});
