// The context of a real shoalctl run: client/ for the API and the config file, api/ for kinds,
// the system clock. main.ts passes the process's streams; tests pass buffers.
import { randomBytes } from 'node:crypto';
import { clientConfigStore, connectClient } from './client-api.js';
import { readClientVersion } from './client-version.js';
import type { CliContext, CliStdio } from './context.js';
import { columnsFor, knownResourceNames } from './kinds.js';

export interface RealContextIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  readonly interrupted: AbortSignal;
  readonly stdio?: CliStdio;
}

export function realContext(io: RealContextIo): CliContext {
  return {
    stdout: io.stdout,
    stderr: io.stderr,
    readStdin: io.readStdin,
    now: () => new Date(),
    randomBytes: (n) => randomBytes(n),
    config: clientConfigStore(io.env, io.homeDir),
    connect: connectClient,
    interrupted: io.interrupted,
    clientVersion: () => readClientVersion(io.env),
    columnsFor,
    knownResourceNames,
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      }),
    ...(io.stdio !== undefined ? { stdio: io.stdio } : {}),
  };
}
