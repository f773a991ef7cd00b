// Bytes from a container (logs, exec) to shoalctl's output: written as they are to the process's
// stream (a promise while it is full, so the remote side is held back), or decoded as UTF-8 text
// (multi-byte characters split across chunks kept whole) when the context only takes text.
import type { OutputSink } from '../client/index.js';
import type { CliContext } from './context.js';

export function byteSink(ctx: CliContext, which: 'stdout' | 'stderr'): OutputSink {
  const stream = which === 'stdout' ? ctx.stdio?.stdout : undefined;
  if (stream !== undefined) {
    return (bytes) => {
      if (stream.write(bytes)) return;
      return new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    };
  }
  const decoder = new TextDecoder('utf-8');
  const write = which === 'stdout' ? ctx.stdout : ctx.stderr;
  return (bytes) => {
    const text = decoder.decode(bytes, { stream: true });
    if (text !== '') write(text);
  };
}

/** "pod/web", "pods/web" or "web" → "web". */
export function podName(arg: string): string {
  const m = /^(?:po|pod|pods)\/(.+)$/.exec(arg);
  return m?.[1] ?? arg;
}
