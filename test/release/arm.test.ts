// The release bundle on ARM, under qemu-user emulation: Debian 13 roots (arm64 and armhf, Node.js
// 20 from Debian, made once by scripts/lib/arm-roots.sh and cached in /var/cache/shoal-test/roots)
// run the same tarball as amd64: `shoal-agent --version`, the capacity report (`facts`:
// architecture arm64 / arm) and a real `shoal-agent join` + `run` against the lab's control
// plane: a lab (scripts/lab.sh) whose cp1 runs the same bundle, installed by install.sh and
// initialised as a secure cluster; the emulated agents run in the lab's client host (chroot +
// that host's network namespace) and join cp1 at its lab address; their Nodes then report the
// emulated architecture. Functional checks only: emulation is 10-15x slower, so every bound is
// generous. Needs root (chroot, mount, binfmt, namespaces); binfmt, mounts and the lab are
// undone in t.teardown.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Node } from '../../api/index.js';
import { InstalledCluster } from '../e2e/helpers/installed-cluster.js';
import { labAddress, requireLab, waitFor } from '../lab/helpers/lab.js';
import { AGENT_NETWORKING_OFF, cleanEnv, killAll, run, untapped } from './helpers/release-rig.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARM_ROOTS = join(ROOT, 'scripts', 'lib', 'arm-roots.sh');
const CACHE = process.env.SHOAL_ROOTS_CACHE ?? '/var/cache/shoal-test/roots';
const EMULATED_MS = 10 * 60_000;

// Building both roots the first time on this machine takes a few minutes each.
t.setTimeout(60 * 60_000);

const ARCHES = [
  { debian: 'arm64', kube: 'arm64', node: 'arm64' },
  { debian: 'armhf', kube: 'arm', node: 'arm' },
] as const;

if (await requireLab(t)) {
  const started = Date.now();
  const ensure = await run('bash', [ARM_ROOTS, 'ensure', ...ARCHES.map((a) => a.debian)], { env: process.env, timeoutMs: 45 * 60_000 });
  if (ensure.code !== 0) throw new Error(`arm-roots.sh ensure failed (${ensure.code}):\n${ensure.stderr}`);
  t.comment(`ARM roots ready in ${Date.now() - started} ms (${CACHE})`);
  const on = await run('bash', [ARM_ROOTS, 'binfmt-on', ...ARCHES.map((a) => a.debian)], { env: process.env });
  if (on.code !== 0) throw new Error(`binfmt-on failed: ${on.stderr}`);
  const changed = on.stdout.split('\n').filter(Boolean);
  t.teardown(async () => {
    const off = await run('bash', [ARM_ROOTS, 'binfmt-off', ...changed], { env: process.env });
    if (off.code !== 0) process.stderr.write(`binfmt-off: ${off.stderr}\n`);
  });
  // The lab: cp1 with the bundle installed and a secure cluster initialised, the client host for the agents.
  const cluster = await InstalledCluster.prepare(t, { name: 'arm', controlPlanes: 1, workers: 0 });
  const rel = { dir: `${cluster.lab.dir}/bundle`, version: cluster.version, gitCommit: cluster.gitCommit };
  await cluster.install('cp1', ['control-plane', 'init', '--advertise-address', labAddress.cp(1), '--name', 'cp1']);
  await cluster.start('cp1', 'control-plane');
  let joinArgs: string[] = [];
  await waitFor(t, 'cp1 inits the cluster and prints the join commands', async () => (joinArgs = [...(cluster.joinCommands()?.worker ?? [])]).length > 0, 240_000, async () => cluster.log('cp1', 'control-plane').slice(-3000));
  cluster.writeShoalctlConfig();
  // The agents only register and report: no Docker, no iptables, no pod network in the client host.
  const noNetworking = AGENT_NETWORKING_OFF;

  for (const arch of ARCHES) {
    t.test(`release on ${arch.debian} (emulated) - --version, facts, join and run`, async (t) => {
      const root = mkdtempSync(join('/var/tmp', `shoal-arm-${arch.debian}-`));
      const procs: ChildProcess[] = [];
      let procMounted = false;
      t.teardown(async () => {
        await killAll(procs);
        if (procMounted) {
          const u = await run('umount', [join(root, 'proc')], { env: process.env });
          if (u.code !== 0) await run('umount', ['-l', join(root, 'proc')], { env: process.env });
        }
        rmSync(root, { recursive: true, force: true, maxRetries: 3 });
      });
      const x = await run('tar', ['-xf', join(CACHE, `${arch.debian}.tar`), '-C', root], { env: process.env, timeoutMs: 5 * 60_000 });
      t.equal(x.code, 0, `root extracted ${x.stderr}`);
      mkdirSync(join(root, 'opt'), { recursive: true });
      cpSync(rel.dir, join(root, 'opt', 'shoal'), { recursive: true });
      const m = await run('mount', ['-t', 'proc', 'proc', join(root, 'proc')], { env: process.env });
      t.equal(m.code, 0, `/proc mounted in the root ${m.stderr}`);
      procMounted = m.code === 0;
      const inRoot = (args: string[], timeoutMs = EMULATED_MS) => run('chroot', [root, ...args], { env: cleanEnv({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }), timeoutMs });
      const agent = '/opt/shoal/bin/shoal-agent';

      const node = await inRoot(['node', '-p', 'process.arch']);
      t.equal(node.stdout.trim(), arch.node, `the root's node runs as ${arch.node} ${node.stderr}`);

      const v = await inRoot([agent, '--version']);
      t.equal(v.code, 0, `--version exits 0 ${v.stderr}`);
      t.match(v.stdout, new RegExp(`^shoal-agent ${rel.version.replace(/\./g, '\\.')} \\(git commit ${rel.gitCommit}, node v\\d+\\.\\d+\\.\\d+, linux/${arch.node}\\)`), 'version, commit and the ARM platform');

      const nodeName = `emu-${arch.debian}-${process.pid}`;
      const f = await inRoot([agent, 'facts', '--node-name', nodeName]);
      t.equal(f.code, 0, `facts exits 0 ${f.stderr}`);
      t.match(JSON.parse(f.stdout), {
        labels: { 'kubernetes.io/arch': arch.kube, 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': nodeName },
        capacity: { cpu: /^\d+$/, memory: /^\d+Ki$/, pods: '110' },
        nodeInfo: { architecture: arch.kube, operatingSystem: 'linux', osImage: /Debian GNU\/Linux 13/ },
      }, `the capacity report says ${arch.kube}`);

      const dataDir = '/var/lib/shoal/agent';
      const inClient = (args: string[], timeoutMs = EMULATED_MS) =>
        run('nsenter', [`--net=/var/run/netns/${cluster.lab.ns('client')}`, 'chroot', root, ...args], { env: cleanEnv({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }), timeoutMs });
      const joined = await inClient([agent, 'join', ...joinArgs, '--data-dir', dataDir, '--node-name', nodeName]);
      t.equal(joined.code, 0, `join exits 0 ${joined.stderr}`);
      t.match(joined.stdout, new RegExp(`joined the cluster as "${nodeName}"`));

      const p = spawn(...untapped('nsenter', [`--net=/var/run/netns/${cluster.lab.ns('client')}`, 'chroot', root, agent, 'run', '--data-dir', dataDir, '--http-address', '127.0.0.1:0', '--docker-socket', '/run/no-docker-here.sock', '--log-level', 'warn', ...noNetworking]), {
        env: cleanEnv({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      procs.push(p);
      let stderr = '';
      p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const deadline = Date.now() + EMULATED_MS;
      let seen: Node | undefined;
      while (seen?.status?.nodeInfo?.architecture === undefined) {
        if (p.exitCode !== null) break;
        if (Date.now() > deadline) break;
        seen = await cluster.shoalctlJson<Node>(['get', 'node', nodeName]).catch(() => undefined);
        if (seen?.status?.nodeInfo?.architecture === undefined) await new Promise((r) => setTimeout(r, 1000));
      }
      t.ok(seen, `the emulated agent registered its Node over mTLS ${p.exitCode === null ? '' : `(agent exited ${p.exitCode}: ${stderr})`}`);
      t.match(seen, {
        metadata: { labels: { 'kubernetes.io/arch': arch.kube } },
        status: { nodeInfo: { architecture: arch.kube, operatingSystem: 'linux' }, capacity: { cpu: /^\d+$/, memory: /^\d+Ki$/ } },
      }, `the Node reports ${arch.kube}`);
    });
  }
}
