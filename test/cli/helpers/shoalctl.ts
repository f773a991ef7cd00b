// Process-level shoalctl tests: an in-process API server over MemoryStorage on 127.0.0.1:0, a
// temp config file pointing at it, and runs of the real bin/shoalctl.js. Everything is closed
// and removed in t.teardown; every run is killed after a generous bound.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { KINDS } from '../../../api/index.js';
import { ApiServer, kindLookup, systemClock } from '../../../control-plane/apiserver/index.js';
import { MemoryStorage } from '../../../control-plane/apiserver/storage/index.js';
import { realContext } from '../../../cli/real-context.js';
import { runShoalctl } from '../../../cli/run.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SHOALCTL = join(ROOT, 'bin', 'shoalctl.js');

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Shoalctl {
  readonly server: string;
  readonly dir: string;
  readonly configPath: string;
  /** Writes a file into the temp dir and returns its path. */
  file(name: string, text: string): string;
  /** A real shoalctl process (bin/shoalctl.js). */
  run(args: readonly string[], opts?: { stdin?: string; timeoutMs?: number }): Promise<RunResult>;
  /** The same run inside this process (same context wiring, no process start-up cost). */
  call(args: readonly string[], opts?: { stdin?: string }): Promise<RunResult>;
  /** Starts a long-running shoalctl (get -w); stop() sends SIGINT and waits for the exit. */
  start(args: readonly string[]): RunningCtl;
}

export interface RunningCtl {
  readonly output: () => string;
  /** Resolves when stdout contains text; rejects after the bound. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<RunResult>;
}

export async function startApiServer(t: Teardown): Promise<string> {
  const server = new ApiServer({
    storage: new MemoryStorage(),
    clock: systemClock,
    log: pino({ level: 'silent' }),
    options: { kinds: kindLookup(KINDS), processMetrics: false, name: 'test' },
  });
  t.teardown(() => server.close());
  const { grpcPort } = await server.listen({ grpc: '127.0.0.1:0' });
  return `127.0.0.1:${grpcPort}`;
}

export function runShoalctlProcess(args: readonly string[], env: NodeJS.ProcessEnv, opts: { stdin?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SHOALCTL, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

/** A temp dir with a config pointing at `servers` and a runner using it (SHOAL_CONFIG). */
export function shoalctl(t: Teardown, servers: readonly string[]): Shoalctl {
  const dir = mkdtempSync(join(tmpdir(), 'shoalctl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const configPath = join(dir, 'config');
  writeFileSync(configPath, `servers: [${servers.join(', ')}]\nnamespace: default\n`);
  const env = { ...process.env, SHOAL_CONFIG: configPath, HOME: dir };
  const children = new Set<ReturnType<typeof spawn>>();
  t.teardown(() => {
    for (const c of children) c.kill('SIGKILL');
  });
  return {
    server: servers[0] ?? '',
    dir,
    configPath,
    file(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    run: (args, opts) => runShoalctlProcess(args, env, opts),
    async call(args, opts = {}) {
      let stdout = '';
      let stderr = '';
      const ctx = realContext({
        stdout: (text) => void (stdout += text),
        stderr: (text) => void (stderr += text),
        readStdin: () => opts.stdin ?? '',
        env,
        homeDir: dir,
        interrupted: new AbortController().signal,
      });
      const code = await runShoalctl(args, ctx);
      return { code, stdout, stderr };
    },
    start(args) {
      const child = spawn(process.execPath, [SHOALCTL, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      return {
        output: () => stdout,
        async waitFor(text, timeoutMs = 30_000) {
          const deadline = Date.now() + timeoutMs;
          const seen = (): boolean => (typeof text === 'string' ? stdout.includes(text) : text.test(stdout));
          while (!seen()) {
            if (Date.now() > deadline) throw new Error(`shoalctl ${args.join(' ')}: no ${String(text)} in output after ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`);
            await new Promise((r) => setTimeout(r, 50));
          }
        },
        async stop() {
          child.kill('SIGINT');
          const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
          const code = await exited;
          clearTimeout(timer);
          children.delete(child);
          return { code, stdout, stderr };
        },
      };
    },
  };
}
