// shoalctl image load <node> <file.tar>: streams a `docker save` tarball to the node's agent
// (through an API server and the node's tunnel), which loads it into its runtime — for sites
// with no registry. Progress goes to stderr, the loaded image names to stdout.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { CliError } from '../errors.js';

const MiB = 1024 * 1024;
const mib = (n: number): string => `${(n / MiB).toFixed(1)} MiB`;

export function imageCommand(env: CommandEnv): Command {
  const image = new Command('image').description('Manage container images on nodes');
  image.addCommand(
    new Command('load')
      .description("Load a `docker save` tarball into a node's container runtime")
      .argument('<node>', 'the node')
      .argument('<file>', 'the tarball (docker save -o file.tar image...)')
      .action(async (node: string, file: string, _flags: object, command: Command) => {
        let size: number;
        try {
          const s = await stat(file);
          if (!s.isFile()) throw new Error('not a regular file');
          size = s.size;
        } catch (e) {
          throw new CliError('FILE', `cannot read ${file}: ${(e as Error).message}`);
        }
        await env.run(command, async (session) => {
          const api = await session.api();
          let shownTenth = -1;
          const res = await api.imageLoad({
            node,
            open: () => createReadStream(file) as AsyncIterable<Uint8Array>,
            sizeBytes: size,
            onProgress: (sent) => {
              const tenth = size > 0 ? Math.floor((sent / size) * 10) : 0;
              if (tenth === shownTenth) return;
              shownTenth = tenth;
              env.ctx.stderr(`sending ${file} to node ${node}: ${mib(sent)} of ${mib(size)} (${tenth * 10}%)\n`);
            },
            signal: env.ctx.interrupted,
          });
          for (const name of res.images) env.ctx.stdout(`Loaded image: ${name}\n`);
          if (res.images.length === 0) env.ctx.stdout(`node ${node} loaded ${mib(res.bytes)} but reported no image names\n`);
        });
      }),
  );
  return image;
}
