// Network namespaces a test makes for itself (`shoal-t-<random>`), removed in teardown even when
// the test fails. Commands run inside with `nsenter --net=/var/run/netns/<ns>` (not `ip netns
// exec`). The machine's root namespace is never programmed.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { skipOrFailWithout } from '../../support/skip-or-fail.js';

const execFileP = promisify(execFile);

/** Skips (loudly) when not root on a developer machine; fails when CI=true. */
export function requireRoot(t: Test): boolean {
  if (process.getuid?.() === 0) return true;
  const msg = 'NOT ROOT: the service proxy tests need root for network namespaces and iptables';
  skipOrFailWithout(t, msg);
  return false;
}

export interface Netns {
  readonly name: string;
  /** argv prefix that runs a command inside. */
  readonly prefix: string[];
  /** Runs argv inside; rejects on a non-zero exit. */
  exec(argv: string[], timeoutMs?: number): Promise<{ stdout: string; stderr: string }>;
  /** Runs argv inside; resolves with the exit code whatever it is. */
  status(argv: string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
}

export async function makeNetns(t: Test): Promise<Netns> {
  const name = `shoal-t-${randomBytes(4).toString('hex')}`;
  await execFileP('ip', ['netns', 'add', name]);
  t.teardown(async () => {
    await execFileP('ip', ['netns', 'del', name]).catch(() => undefined);
  });
  const prefix = ['nsenter', `--net=/var/run/netns/${name}`];
  const ns: Netns = {
    name,
    prefix,
    exec: async (argv, timeoutMs = 60_000) => execFileP(prefix[0]!, [...prefix.slice(1), ...argv], { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }),
    status: (argv, timeoutMs = 60_000) =>
      new Promise((resolve) => {
        execFile(prefix[0]!, [...prefix.slice(1), ...argv], { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1;
          resolve({ code, stdout, stderr });
        });
      }),
  };
  await ns.exec(['ip', 'link', 'set', 'lo', 'up']);
  return ns;
}

/** Polls cond (bounded) until it holds; fails the test with `what` otherwise. */
export async function until(t: Test, what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 30_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) {
      t.fail(`timed out waiting for ${what}`);
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
