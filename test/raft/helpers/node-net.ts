// Shared by the RaftNode tests: a MemoryNetwork with one MemoryTransport per member (each knows
// every other member), and a bounded wait.
import type { NodeId } from '../../../raft/core/types.js';
import { MemoryNetwork, MemoryTransport } from '../../../raft/transport/memory-transport.js';

export function memberTransport(network: MemoryNetwork, id: NodeId, ids: NodeId[]): MemoryTransport {
  const t = new MemoryTransport({ network, id, listen: `m${id}` });
  for (const p of ids) if (p !== id) t.addPeer(p, `m${p}`);
  return t;
}

export { MemoryNetwork };

/** Polls `cond` every `intervalMs` until it holds; throws after `timeoutMs`. */
export async function until(what: string, cond: () => boolean, timeoutMs = 10_000, intervalMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < deadline && i < timeoutMs / intervalMs + 10; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  if (cond()) return;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
