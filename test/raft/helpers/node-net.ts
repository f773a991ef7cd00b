// An asynchronous in-process network for RaftNode tests: messages are delivered on a later
// turn of the event loop, links can be cut, and snapshot transfers are reported like the real
// transport does. Also the small waiting helper the driver tests share.
import type { Message, NodeId } from '../../../raft/core/types.js';
import { MessageType } from '../../../raft/core/types.js';
import type { NodeTransport } from '../../../raft/node/node-transport.js';

export class LoopNetwork {
  private readonly endpoints = new Map<NodeId, LoopTransport>();
  private readonly cut = new Set<string>();

  transport(id: NodeId): LoopTransport {
    const t = new LoopTransport(id, this);
    this.endpoints.set(id, t);
    return t;
  }

  isolate(id: NodeId): void {
    for (const other of this.endpoints.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}-${other}`);
      this.cut.add(`${other}-${id}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  /** Returns false when the message could not be delivered (link cut, peer closed). */
  deliver(m: Message): boolean {
    const to = this.endpoints.get(m.to);
    if (!to || to.closed || !to.started || this.cut.has(`${m.from}-${m.to}`)) return false;
    const copy: Message = { ...m, entries: m.entries.map((e) => ({ ...e, data: e.data.slice() })), context: m.context.slice() };
    setImmediate(() => to.receive(copy));
    return true;
  }
}

export class LoopTransport implements NodeTransport {
  started = false;
  closed = false;
  private onMsg: (m: Message) => void = () => {};
  private onUnreach: (id: NodeId) => void = () => {};
  private onSnap: (id: NodeId, ok: boolean) => void = () => {};

  constructor(
    readonly id: NodeId,
    private readonly net: LoopNetwork,
  ) {}

  start(): void {
    this.started = true;
    this.closed = false;
  }

  send(messages: Message[]): void {
    for (const m of messages) {
      const ok = this.closed ? false : this.net.deliver(m);
      if (m.type === MessageType.Snap) setImmediate(() => this.onSnap(m.to, ok));
      else if (!ok && !this.closed) setImmediate(() => this.onUnreach(m.to));
    }
  }

  receive(m: Message): void {
    if (!this.closed) this.onMsg(m);
  }

  onMessage(h: (m: Message) => void): void {
    this.onMsg = h;
  }

  onUnreachable(h: (id: NodeId) => void): void {
    this.onUnreach = h;
  }

  onSnapshotStatus(h: (id: NodeId, ok: boolean) => void): void {
    this.onSnap = h;
  }

  close(): void {
    this.closed = true;
  }
}

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
