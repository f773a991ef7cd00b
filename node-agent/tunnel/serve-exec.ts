// exec: a command in the pod's running container with stdin, stdout, stderr, a TTY and resizes;
// the stream closes with the command's exit code.
import { Channel, CloseCode } from '../../api/tunnel/index.js';
import type { ExecOpen } from '../../proto/gen/shoal/api/v1/tunnel.js';
import { ContainerStateKind } from '../runtime/index.js';
import type { ContainerRuntime } from '../runtime/index.js';
import { findContainer } from './find-container.js';
import { TunnelStreamError, pump, writeInput } from './stream-context.js';
import type { StreamContext, StreamResult } from './stream-context.js';

export async function serveExec(runtime: ContainerRuntime, nodeName: string, open: ExecOpen, ctx: StreamContext): Promise<StreamResult> {
  if (open.command.length === 0) throw new TunnelStreamError(CloseCode.invalidArgument, 'exec needs a command');
  const c = await findContainer(runtime, nodeName, open.target, false);
  if (c.state !== ContainerStateKind.Running) throw new TunnelStreamError(CloseCode.failedPrecondition, `container "${open.target?.container}" in pod "${open.target?.podName}" is not running`);
  const size = open.tty && open.size && open.size.cols > 0 && open.size.rows > 0 ? { cols: open.size.cols, rows: open.size.rows } : {};
  const session = await runtime.execStream(c.id, { cmd: open.command, stdin: open.stdin, tty: open.tty, ...size });
  ctx.signal.addEventListener('abort', () => session.close(), { once: true });
  ctx.onInput(async (d) => {
    const stdin = session.stdin;
    if (stdin === undefined) return;
    if (d.data.length > 0) await writeInput(stdin, d.data).catch(() => undefined);
    if (d.eof) stdin.end();
  });
  ctx.onResize((s) => void session.resize(s.cols, s.rows).catch(() => undefined));
  ctx.started();
  await Promise.all([pump(session.stdout, Channel.stdout, ctx), pump(session.stderr, Channel.stderr, ctx)]);
  if (ctx.signal.aborted) return {};
  return { exitCode: await session.exitCode() };
}
