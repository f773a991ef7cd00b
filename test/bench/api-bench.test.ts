// The pieces of `npm run bench -- api` against an in-process API server over the in-memory
// storage (the real planes are exercised by running the benchmark): every workload completes
// without errors and measures what it says, the fan-out sees every watcher, the helpers parse
// flags and format the table, and the API-server-only process refuses bad flags clearly.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { startInProcess } from '../apiserver/helpers/in-process-server.js';
import { apiClients, createAtRate, createLoad, createNamespaces, getLoad, listLoad, prefill, updateLoad, watchFanout } from '../../scripts/bench/api-workloads.js';
import { comparisonTable, FlagReader, round } from '../../scripts/bench/bench-run.js';
import { REPO_ROOT } from '../../scripts/bench/store-cluster.js';

t.test('every workload runs against an API server and counts what it did', async (t) => {
  const ip = await startInProcess(t);
  const clients = apiClients([ip.address, ip.address]);
  t.teardown(() => clients.forEach((c) => c.close()));
  await createNamespaces(clients[0]!, ['b-create', 'b-rate', 'b-list', 'b-watch']);

  const create = await createLoad(clients, 'b-create', 8, 300, 'c');
  t.ok(create.ok > 0, 'creates succeeded');
  t.equal(create.errors, 0, `no create failed (${create.firstError ?? ''})`);
  t.ok(create.p99 >= create.p50, 'p99 >= p50');
  t.equal((await clients[0]!.resource('configmaps', 'b-create').list()).items.length, create.ok, 'one object per successful create');

  const rate = await createAtRate(clients, 'b-rate', 50, 400, 100);
  t.equal(rate.errors, 0);
  t.ok(rate.ok > 0 && rate.ok <= 20, `at most 50/s for 0.4 s (${rate.ok})`);

  const objects = await prefill(clients, 'b-list', 'cm', 20, 4);
  t.same(objects.map((o) => o.metadata.name), Array.from({ length: 20 }, (_, i) => `cm-${i}`), 'prefill returns the objects in order');

  const get = await getLoad(clients, 'b-list', objects.map((o) => o.metadata.name ?? ''), 4, 200);
  t.ok(get.ok > 0 && get.errors === 0, 'gets');
  const list = await listLoad(clients, 'b-list', 20, 200);
  t.ok(list.ok > 0 && list.errors === 0, 'lists hold every object');
  const wrong = await listLoad(clients, 'b-list', 21, 50);
  t.ok(wrong.errors > 0 && wrong.ok === 0, 'a list of the wrong size is an error');
  t.match(wrong.firstError, /20 items, expected 21/);

  const update = await updateLoad(clients, objects, 4, 300);
  t.ok(update.ok > 0, 'CAS updates');
  t.equal(update.errors, 0, `no CAS conflict (${update.firstError ?? ''})`);
  const after = await clients[0]!.resource('configmaps', 'b-list').get('cm-0');
  t.not(after.metadata.resourceVersion, objects[0]!.metadata.resourceVersion, 'updates changed the object');

  const fan = await watchFanout([ip.address, ip.address, ip.address], clients[0]!, 'b-watch', 30, 2, 3, () => {});
  t.equal(fan.rounds.length, 3, 'one figure per round');
  t.equal(fan.watchers, 30);
  t.equal(fan.channels, 6, '2 connections per server');
  t.ok(fan.rounds.every((r, i) => r >= fan.firstRounds[i]!), 'the last watcher is never before the first');
});

t.test('FlagReader takes values and checked numbers', async (t) => {
  const seen: [string, string | number][] = [];
  const args = new FlagReader(['--a', 'x', '--n', '5', '--json']);
  for (const a of args) {
    if (a === '--a') seen.push([a, args.value()]);
    else if (a === '--n') seen.push([a, args.number(1, 10)]);
    else seen.push([a, '']);
  }
  t.same(seen, [['--a', 'x'], ['--n', 5], ['--json', '']]);
  const bad = new FlagReader(['--n', '50']);
  t.throws(() => {
    for (const _ of bad) bad.number(1, 10);
  }, /--n needs a number from 1 to 10/);
  const missing = new FlagReader(['--a']);
  t.throws(() => {
    for (const _ of missing) missing.value();
  }, /--a needs a value/);
});

t.test('comparisonTable aligns figures and ratios; round maps non-finite to null', async (t) => {
  const rows = [
    { name: 'ops/s', get: (r: { v: number }) => r.v, digits: 0, ratio: true },
    { name: 'errors', get: (r: { v: number }) => r.v * 0, digits: 0, ratio: false },
  ];
  const lines = comparisonTable(['metric', 'a', 'b', 'a/b'], rows, { v: 200 }, { v: 100 });
  t.equal(lines.length, 3);
  t.match(lines[1], /^ops\/s\s+200\s+100\s+2\.00$/);
  t.match(lines[2], /^errors\s+0\s+0\s*$/);
  t.match(comparisonTable(['m', 'a', 'b', 'r'], rows, { v: 1 }, undefined)[1], /1\s+-\s*$/, 'a missing system shows -');
  t.equal(round(NaN), null);
  t.equal(round(undefined), null);
  t.equal(round(1.23456, 2), 1.23);
});

t.test('api-server-process refuses bad flags with a clear message', async (t) => {
  const run = (args: string[]): Promise<{ code: number | null; err: string }> =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/api-server-process.ts'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
      p.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, err });
      });
    });
  const none = await run([]);
  t.equal(none.code, 2);
  t.match(none.err, /--api-listen-address is required/);
  const noStore = await run(['--api-listen-address', '127.0.0.1:0']);
  t.equal(noStore.code, 2);
  t.match(noStore.err, /--api-store-endpoints is required/);
  const extra = await run(['--api-listen-address', '127.0.0.1:0', '--api-store-endpoints', 'http://127.0.0.1:1', '--bogus']);
  t.equal(extra.code, 2);
  t.match(extra.err, /unexpected arguments: --bogus/);
});
