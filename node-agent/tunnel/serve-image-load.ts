// image load: the tar bytes the server streams go straight into the runtime's image load
// (docker load); the stream closes with the names the runtime reports.
import { PassThrough } from 'node:stream';
import type { ContainerRuntime } from '../runtime/index.js';
import { writeInput } from './stream-context.js';
import type { StreamContext, StreamResult } from './stream-context.js';

export async function serveImageLoad(runtime: ContainerRuntime, ctx: StreamContext): Promise<StreamResult> {
  const tar = new PassThrough({ highWaterMark: 256 * 1024 });
  ctx.signal.addEventListener('abort', () => tar.destroy(new Error('the image load was cancelled')), { once: true });
  ctx.onInput(async (d) => {
    if (d.data.length > 0) await writeInput(tar, d.data).catch(() => undefined);
    if (d.eof) tar.end();
  });
  const loading = runtime.loadImage(tar);
  ctx.started();
  return { images: await loading };
}
