// shoalctl logs [-f] [-p|--previous] [--tail N] [--timestamps] <pod> [-c container]: the container's
// output, fetched by the node's agent and relayed through the API server (the node's tunnel).
import { Command } from 'commander';
import { byteSink, podName } from '../byte-output.js';
import type { CommandEnv } from '../command-env.js';
import { UsageError } from '../errors.js';

export function parseTail(text: string | undefined): number | undefined {
  if (text === undefined || text === '-1') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--tail must be a whole number >= 0 (or -1 for all), got "${text}"`);
  return n;
}

export function logsCommand(env: CommandEnv): Command {
  return new Command('logs')
    .description("Print the logs of a container in a pod (the pod's only container unless -c is given)")
    .argument('<pod>', 'pod name (or pod/name)')
    .option('-c, --container <name>', 'the container (required when the pod has several)')
    .option('-f, --follow', 'keep printing new output until the container stops or Ctrl-C')
    .option('-p, --previous', 'the logs of the previous instance of the container (before its last restart)')
    .option('--tail <n>', 'only the last n lines (-1 = all)')
    .option('--timestamps', 'prefix each line with its RFC 3339 time')
    .action(async (pod: string, flags: { container?: string; follow?: boolean; previous?: boolean; tail?: string; timestamps?: boolean }, command: Command) => {
      const tailLines = parseTail(flags.tail);
      await env.run(command, async (session) => {
        const api = await session.api();
        await api.podLogs(
          {
            namespace: await session.namespace(),
            name: podName(pod),
            container: flags.container ?? '',
            follow: flags.follow === true,
            previous: flags.previous === true,
            timestamps: flags.timestamps === true,
            ...(tailLines !== undefined ? { tailLines } : {}),
            signal: env.ctx.interrupted,
          },
          byteSink(env.ctx, 'stdout'),
        );
      });
    });
}
