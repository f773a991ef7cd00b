// `shoal-agent cleanup [--data-dir D]`: undo what the agent did to the host's network. The body
// is a list of steps, each owned by the part of the agent that made the state; every step is
// idempotent, and one that fails does not stop the others (the command then exits 1).
import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR } from './join/index.js';
import { cleanupServiceProxy } from './service-proxy/index.js';
import { cleanupPodNetwork, runCommand } from './pod-network/index.js';
import { DockerRuntime } from './runtime/index.js';

export interface CleanupContext {
  readonly dataDir: string;
  /** The Docker engine whose `shoal` network goes (--docker-socket). */
  readonly dockerSocket: string;
}

export interface CleanupStep {
  readonly name: string;
  /** Returns what it removed, for the operator. */
  run(ctx: CleanupContext): Promise<string>;
}

export const cleanupSteps: CleanupStep[] = [
  {
    name: 'service proxy iptables rules (legacy and nft)',
    run: async () =>
      (await cleanupServiceProxy())
        .map((r) => (r.skipped !== undefined ? `${r.backend}: skipped (${r.skipped})` : `${r.backend}: ${r.jumps} jump rules, ${r.chains} chains removed`))
        .join('; '),
  },
  {
    name: 'pod network (docker network shoal, routes, forward/masquerade rules)',
    run: async (ctx) => (await cleanupPodNetwork(new DockerRuntime({ socketPath: ctx.dockerSocket }).docker, runCommand)).join('; '),
  },
];

export async function runCleanup(argv: readonly string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<void> {
  const { values } = parseArgs({ args: [...argv], options: { 'data-dir': { type: 'string' }, 'docker-socket': { type: 'string' } } });
  const ctx: CleanupContext = { dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR, dockerSocket: values['docker-socket'] ?? '/var/run/docker.sock' };
  let failed = 0;
  for (const step of cleanupSteps) {
    try {
      out(`${step.name}: ${await step.run(ctx)}`);
    } catch (e) {
      failed++;
      out(`${step.name}: FAILED: ${(e as Error).message}`);
    }
  }
  if (failed > 0) process.exitCode = 1;
}
