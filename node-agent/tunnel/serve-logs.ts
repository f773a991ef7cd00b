// logs: the container's output from the runtime (tail, timestamps, follow until it stops).
import { Channel } from '../../api/tunnel/index.js';
import type { LogsOpen } from '../../proto/gen/shoal/api/v1/tunnel.js';
import type { ContainerRuntime } from '../runtime/index.js';
import { findContainer } from './find-container.js';
import { pump } from './stream-context.js';
import type { StreamContext, StreamResult } from './stream-context.js';

export async function serveLogs(runtime: ContainerRuntime, nodeName: string, open: LogsOpen, ctx: StreamContext): Promise<StreamResult> {
  const c = await findContainer(runtime, nodeName, open.target, open.previous);
  const out = await runtime.logStream(c.id, { follow: open.follow && !open.previous, timestamps: open.timestamps, ...(open.tailLines >= 0 ? { tail: open.tailLines } : {}) });
  ctx.started();
  await pump(out, Channel.stdout, ctx);
  return {};
}
