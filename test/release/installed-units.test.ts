// The installed layout really runs: install.sh writes a control plane (init) and an agent (join)
// into a temp root, then each unit's commands are run the way systemd would run them — its
// EnvironmentFile's variables, ExecStartPre then ExecStart through sh — with /opt/shoal,
// /etc/shoal and /var/lib/shoal pointed into the root (systemd is not PID 1 here). The control
// plane inits a secure cluster on loopback ports, the admin config it wrote answers shoalctl, and
// the agent joins with the printed token and registers its Node over mTLS.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { freePorts } from '../chaos/free-port.js';
import { AGENT_NETWORKING_OFF, buildAndExtract, cleanEnv, killAll, run, untapped } from './helpers/release-rig.js';

const rel = await buildAndExtract(t);
const root = mkdtempSync(join(tmpdir(), 'shoal-installed-'));
const procs: ChildProcess[] = [];
t.teardown(async () => {
  await killAll(procs);
  rmSync(root, { recursive: true, force: true });
});

/** Installed absolute paths, as seen from inside the temp root. */
const rooted = (text: string): string => text.replace(/(^|[\s="'])\/(opt|etc|var\/lib)\/shoal(?=[/\s"']|$)/g, `$1${root}/$2/shoal`);

/** One unit's commands and environment, as systemd would run them. */
function unitCommands(unit: string): { pre: string[]; start: string; env: Record<string, string> } {
  const text = rooted(readFileSync(join(root, 'etc/systemd/system', unit), 'utf8'));
  const values = (key: string): string[] => [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);
  const env: Record<string, string> = {};
  for (const file of values('EnvironmentFile')) {
    for (const m of readFileSync(file, 'utf8').matchAll(/^([A-Z_]+)="(.*)"$/gm)) env[m[1]!] = rooted(m[2]!);
  }
  // systemd's own quoting of `/bin/sh -c '...'` is what sh -c sees as one argument.
  const pre = values('ExecStartPre').map((c) => c.replace(/^\/bin\/sh -c '(.*)'$/, '$1'));
  return { pre, start: values('ExecStart')[0]!, env };
}

function startUnit(t: Test, unit: string): { output: () => string; proc: ChildProcess } {
  const { pre, start, env } = unitCommands(unit);
  const script = [...pre.map((c) => `( ${c} ) || exit 1`), `exec ${start}`].join('\n');
  const p = spawn(...untapped('sh', ['-c', script]), { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  t.comment(`${unit}: ${script.replace(new RegExp(root, 'g'), '$ROOT')}`);
  return { output: () => out, proc: p };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, proc: ChildProcess, output: () => string, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (proc.exitCode !== null) throw new Error(`${what}: the process exited (${proc.exitCode}):\n${output().slice(-4000)}`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms:\n${output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const INSTALL = join(rel.dir, 'scripts', 'install.sh');
const install = (args: string[]) => run('bash', [INSTALL, '--root', root, '--skip-checks', ...args], { timeoutMs: 120_000 });

t.test('installed units - control plane init and agent join run from the installed layout', async (t) => {
  const [client, peer, api, apiHttp] = (await freePorts(4)) as [number, number, number, number];
  const cpInstall = await install(['control-plane', 'init', '--advertise-address', '127.0.0.1', '--name', 'cp1', '--client-port', `${client}`, '--peer-port', `${peer}`, '--api-port', `${api}`, '--api-http-port', `${apiHttp}`]);
  t.equal(cpInstall.code, 0, cpInstall.stderr);
  const cp = startUnit(t, 'shoal-control-plane.service');
  const joinLine = await waitFor('init prints the worker join command', () => /shoal-agent join (\S+) --token (\S+) --ca-cert-hash (\S+)/.exec(cp.output()) ?? undefined, cp.proc, cp.output);
  t.equal(joinLine[1], `127.0.0.1:${api}`, 'the join command names the API server');

  const admin = join(root, 'etc/shoal/admin.conf');
  const ctl = (args: string[]) => run(rel.bin('shoalctl'), ['--config', admin, ...args], { timeoutMs: 60_000 });
  const members = await ctl(['members']);
  t.equal(members.code, 0, `shoalctl with the admin config init wrote: ${members.stderr}`);
  t.match(members.stdout, /cp1/);

  const noNetworking = AGENT_NETWORKING_OFF;
  const agentInstall = await install([
    'agent', 'join', joinLine[1]!, '--token', joinLine[2]!, '--ca-cert-hash', joinLine[3]!, '--node-name', 'installed-agent',
    '--docker-socket', join(root, 'no-docker.sock'), '--http-address', '127.0.0.1:0', ...noNetworking,
  ]);
  t.equal(agentInstall.code, 0, agentInstall.stderr);
  const agent = startUnit(t, 'shoal-agent.service');
  await waitFor('the agent joins (agent.yaml written)', () => (existsSync(join(root, 'var/lib/shoal/agent/agent.yaml')) ? true : undefined), agent.proc, agent.output);
  const node = await waitFor(
    'the Node registers over mTLS and reports its status',
    async () => {
      const r = await ctl(['get', 'node', 'installed-agent', '-o', 'json']);
      if (r.code !== 0) return undefined;
      const n = JSON.parse(r.stdout) as { status?: { nodeInfo?: { architecture?: string } } };
      // The Node is created first and its status written right after.
      return n.status?.nodeInfo?.architecture === undefined ? undefined : n;
    },
    agent.proc,
    agent.output,
  );
  t.ok(node.status?.nodeInfo?.architecture, `the installed agent reports its Node (${node.status?.nodeInfo?.architecture})`);
});
