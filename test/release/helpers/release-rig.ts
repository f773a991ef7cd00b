// The release under test: built once per test file into a temp dir (scripts/release.ts, in this
// process), then extracted somewhere with no node_modules above it, so the bundle must stand
// alone. Also a bounded process runner and a dev-mode control plane started from the bundle.
// Everything is removed and every process killed in t.teardown.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { release } from '../../../scripts/release.js';
import { freePorts } from '../../chaos/free-port.js';
import { run as runBounded } from '../../store/helpers/store-cluster.js';
import type { RunResult } from '../../store/helpers/store-cluster.js';

export type { RunResult };

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

/**
 * tap's process tracking adds NODE_OPTIONS (--import of its own loader from this checkout's
 * node_modules) to every child it sees spawned: `env -u NODE_OPTIONS` drops it again, so the
 * bundle runs exactly as on a host without the source tree.
 */
export const untapped = (cmd: string, args: readonly string[]): [string, string[]] => ['env', ['-u', 'NODE_OPTIONS', cmd, ...args]];

/** A bounded run with a clean environment (default cleanEnv()) and no NODE_OPTIONS. */
export const run = (cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {}): Promise<RunResult> =>
  runBounded(...untapped(cmd, args), { fullEnv: opts.env ?? cleanEnv(), cwd: opts.cwd, timeoutMs: opts.timeoutMs ?? 60_000, input: opts.input });

export interface BuiltRelease {
  readonly tarball: string;
  readonly version: string;
  readonly gitCommit: string;
  /** The extracted shoal-<version>/ directory. */
  readonly dir: string;
  readonly bin: (program: 'shoal-control-plane' | 'shoal-agent' | 'shoalctl') => string;
}

/** A node_modules in any folder above `dir` would let a broken bundle resolve packages. */
export function nodeModulesAbove(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) return join(d, 'node_modules');
    if (dirname(d) === d) return undefined;
  }
}

export async function buildAndExtract(t: Teardown): Promise<BuiltRelease> {
  const out = mkdtempSync(join(tmpdir(), 'shoal-release-out-'));
  const where = mkdtempSync(join(tmpdir(), 'shoal-release-x-'));
  t.teardown(() => {
    rmSync(out, { recursive: true, force: true });
    rmSync(where, { recursive: true, force: true });
  });
  const r = await release(out);
  const x = await run('tar', ['-xzf', r.tarball, '-C', where]);
  if (x.code !== 0) throw new Error(`tar -x failed: ${x.stderr}`);
  const dir = join(where, `shoal-${r.version}`);
  return { ...r, dir, bin: (p) => join(dir, 'bin', p) };
}

/** An environment with nothing that could point node at the source tree. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: `${dirname(process.execPath)}:/usr/sbin:/usr/bin:/sbin:/bin`, HOME: tmpdir(), ...extra };
}

/**
 * `shoal-agent run` flags that keep the agent off this machine's own network namespace: the agent
 * programs iptables and a pod network by default, and tests never do that outside a namespace of
 * their own.
 */
export const AGENT_NETWORKING_OFF: readonly string[] = ['--proxy-mode', 'none', '--pod-network', 'none'];

/** SIGKILLs each process still running and waits for it to be gone. */
export async function killAll(procs: readonly ChildProcess[]): Promise<void> {
  for (const p of procs) {
    if (p.exitCode !== null || p.signalCode !== null) continue;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  }
}

export interface BundleControlPlane {
  readonly api: string;
  readonly configPath: string;
  readonly log: () => string;
}

/**
 * A dev-mode (insecure) single-member control plane from the bundle on 127.0.0.1, its API
 * server on a port it picks itself (read back from its log), and a shoalctl config for it.
 */
export async function startBundleControlPlane(t: Teardown, rel: BuiltRelease, timeoutMs = 120_000): Promise<BundleControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-release-cp-'));
  const [client, peer] = (await freePorts(2)) as [number, number];
  let out = '';
  const p: ChildProcess = spawn(
    ...untapped(rel.bin('shoal-control-plane'), [
      '--name', 'm1', '--data-dir', join(dir, 'm1'),
      '--listen-client-urls', `http://127.0.0.1:${client}`, '--advertise-client-urls', `http://127.0.0.1:${client}`,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `m1=http://127.0.0.1:${peer}`,
      '--api-listen-address', '127.0.0.1:0', '--control-loops=true',
    ]),
    { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const killOnExit = (): void => void p.kill('SIGKILL');
  process.once('exit', killOnExit);
  t.teardown(async () => {
    process.removeListener('exit', killOnExit);
    await killAll([p]);
    rmSync(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + timeoutMs;
  let port: string | undefined;
  while (port === undefined) {
    port = /"grpcPort":(\d+),[^\n]*API server listening/.exec(out)?.[1];
    if (port !== undefined) break;
    if (p.exitCode !== null) throw new Error(`the bundle's control plane exited (${p.exitCode}):\n${out}`);
    if (Date.now() > deadline) throw new Error(`the bundle's control plane did not start its API server in ${timeoutMs} ms:\n${out.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const api = `127.0.0.1:${port}`;
  const configPath = join(dir, 'config');
  writeFileSync(configPath, `servers:\n  - ${api}\n`);
  return { api, configPath, log: () => out };
}

export const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
