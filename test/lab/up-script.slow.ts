// scripts/up.sh, the README's first command, end to end in a lab of its own: the release bundle
// installed on 3 control-plane hosts (init, join with the certificate key) and 2 workers (token
// create, agent join), the demo answering through its ClusterIP and NodePort; the shoalctl
// wrapper it writes sees both nodes Ready and three voting members; `up.sh kill cp1` leaves
// shoalctl working and the unit comes back (Restart=always); `up.sh down` leaves no namespace,
// directory, mount or process of the lab. The tarball is built here into a temp dir
// (SHOAL_UP_BUNDLE), so the test writes nothing into the checkout.
// Not in the default run (its name does not end in .test.ts: ~3.5 min, and test/e2e/scenario.test.ts
// covers the same install/init/join path); run it with `scripts/test.sh test/lab/up-script.slow.ts`.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { release } from '../../scripts/release.js';
import { REPO, requireLab, run, waitFor } from './helpers/lab.js';
import type { RunResult } from './helpers/lab.js';

const LAB = 'upsh';
const LAB_DIR = `/var/lib/shoal-lab/${LAB}`;

interface NodeList {
  items: { metadata: { name: string }; status?: { addresses?: { type: string; address: string }[]; conditions?: { type: string; status: string }[] } }[];
}
interface Members {
  members: { name: string; learner: boolean; healthy: boolean }[];
}

t.setTimeout(900_000);

t.test('scripts/up.sh: the installed bundle in the lab, a demo, kill cp1, down', async (t) => {
  if (!(await requireLab(t))) return;
  const data = mkdtempSync(join(tmpdir(), 'shoal-up-test-'));
  const out = mkdtempSync(join(tmpdir(), 'shoal-up-release-'));
  // tap's NODE_OPTIONS (its loader) must not reach the bundle, npm or the units.
  const env: NodeJS.ProcessEnv = { ...process.env, LAB_NAME: LAB, SHOAL_DATA: data };
  delete env.NODE_OPTIONS;
  const up = (args: readonly string[], timeoutMs: number): Promise<RunResult> => run('bash', [join(REPO, 'scripts/up.sh'), ...args], { env, timeoutMs });
  t.teardown(async () => {
    await up(['down'], 180_000);
    rmSync(data, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  const built = await release(out);
  env.SHOAL_UP_BUNDLE = built.tarball;
  const r = await up([], 600_000);
  t.equal(r.code, 0, 'up.sh succeeds', { stdout: r.stdout.slice(-3000), stderr: r.stderr.slice(-3000) });
  if (r.code !== 0) return;
  t.match(r.stdout, /== from w1: +wget http:\/\/10\.96\.\S+ -> hello from demo-/, 'the ClusterIP answered from w1');
  t.match(r.stdout, /== from client: wget http:\/\/10\.77\.0\.22:\d+\/ -> hello from demo-/, 'the NodePort answered from the client host');
  t.match(r.stdout, `alias shoalctl=${data}/shoalctl`, 'it prints the shoalctl alias');

  const ctl = (args: readonly string[]): Promise<RunResult> => run(join(data, 'shoalctl'), args, { env, timeoutMs: 30_000 });
  const json = async <T>(args: readonly string[]): Promise<T> => {
    const res = await ctl([...args, '-o', 'json']);
    if (res.code !== 0) throw new Error(`shoalctl ${args.join(' ')}: ${res.stderr}`);
    return JSON.parse(res.stdout) as T;
  };
  const nodes = await json<NodeList>(['get', 'nodes']);
  t.same(
    nodes.items.map((n) => [n.metadata.name, n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address, n.status?.conditions?.find((c) => c.type === 'Ready')?.status]).sort(),
    [
      ['w1', '10.77.0.21', 'True'],
      ['w2', '10.77.0.22', 'True'],
    ],
    'both workers joined with their lab addresses and are Ready',
  );
  const votersHealthy = async (): Promise<boolean> => {
    const m = (await json<Members>(['members'])).members;
    return m.length === 3 && m.every((x) => !x.learner && x.healthy);
  };
  t.ok(await votersHealthy(), 'three voting, healthy store members');
  const conf = readFileSync(join(data, 'shoalctl.conf'), 'utf8');
  t.match(conf, /servers: \[10\.77\.0\.11:6443, 10\.77\.0\.12:6443, 10\.77\.0\.13:6443\]/, "shoalctl's config lists all three API servers");

  const pidBefore = (await run('bash', [join(REPO, 'scripts/lab.sh'), 'pid', 'cp1', 'control-plane'], { env })).stdout.trim();
  const k = await up(['kill', 'cp1'], 60_000);
  t.equal(k.code, 0, 'up.sh kill cp1', { stderr: k.stderr });
  const during = await ctl(['get', 'nodes']);
  t.equal(during.code, 0, 'shoalctl keeps working with cp1 down', { stderr: during.stderr });
  const back = await waitFor(
    t,
    "cp1's unit back (Restart=always) and every member healthy again",
    async () => {
      const p = await run('bash', [join(REPO, 'scripts/lab.sh'), 'pid', 'cp1', 'control-plane'], { env });
      return p.code === 0 && p.stdout.trim() !== pidBefore && (await votersHealthy());
    },
    120_000,
    async () => (await ctl(['members'])).stdout,
  );
  t.ok(back, 'cp1 came back by itself (a new process) and rejoined');
  const st = await up(['status'], 120_000);
  t.match(st.stdout, /cp1: shoal-control-plane running/, 'status shows the units');

  const d = await up(['down'], 180_000);
  t.equal(d.code, 0, 'up.sh down', { stderr: d.stderr });
  t.same(readdirSync('/var/run/netns').filter((n) => n.startsWith(`${LAB}-`)), [], 'no namespace of the lab is left');
  t.notOk(existsSync(LAB_DIR), `${LAB_DIR} is gone`);
  t.notOk(readFileSync('/proc/self/mounts', 'utf8').includes(`${LAB_DIR}/`), 'no mount under it is left');
  const leftovers = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`${LAB_DIR}/`);
      } catch {
        return false;
      }
    });
  t.same(leftovers, [], 'no process of the lab is left');
  t.notOk(existsSync(join(data, 'shoalctl.conf')) || existsSync(join(data, 'shoalctl')), "shoalctl's config and wrapper are gone");
});
