// A small HTTP client for the demo key-value API, for tests and the benchmark: keep-alive
// connections, a deadline on every request, and no exceptions for HTTP statuses (only for
// transport errors and deadlines, which come back as status 0).
import { Agent, request } from 'node:http';
import type { NodeStatus } from '../node/raft-node.js';

export interface KvResponse {
  /** HTTP status, or 0 when the request failed (connection refused, deadline). */
  status: number;
  body: Buffer;
  /** The leader the member named in x-shoal-leader (0 = unknown). */
  leader: number;
  error?: string;
}

export class KvClient {
  private readonly agent: Agent;

  constructor(opts: { maxSockets?: number } = {}) {
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64, scheduling: 'lifo' });
  }

  /** Sends one request to `base` (e.g. http://127.0.0.1:8081); resolves with status 0 after timeoutMs. */
  call(base: string, method: string, path: string, body: Uint8Array | undefined, timeoutMs: number): Promise<KvResponse> {
    return new Promise((resolve) => {
      const url = new URL(path, base);
      let settled = false;
      const done = (r: KvResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const req = request(
        {
          agent: this.agent,
          host: url.hostname,
          port: url.port,
          method,
          path: url.pathname + url.search,
          headers: body ? { 'content-length': body.byteLength } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), leader: Number(res.headers['x-shoal-leader'] ?? 0) }));
          res.on('error', (e) => done({ status: 0, body: Buffer.alloc(0), leader: 0, error: e.message }));
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        done({ status: 0, body: Buffer.alloc(0), leader: 0, error: `no answer within ${timeoutMs} ms` });
      }, timeoutMs);
      req.on('error', (e) => done({ status: 0, body: Buffer.alloc(0), leader: 0, error: e.message }));
      req.end(body);
    });
  }

  put(base: string, key: string, value: Uint8Array, timeoutMs = 5000): Promise<KvResponse> {
    return this.call(base, 'PUT', `/kv/${encodeURIComponent(key)}?timeout=${timeoutMs}`, value, timeoutMs + 500);
  }

  get(base: string, key: string, timeoutMs = 5000): Promise<KvResponse> {
    return this.call(base, 'GET', `/kv/${encodeURIComponent(key)}?timeout=${timeoutMs}`, undefined, timeoutMs + 500);
  }

  /** Every key and value (linearizable), or undefined when the member did not answer 200. */
  async all(base: string, timeoutMs = 5000): Promise<Record<string, string> | undefined> {
    const r = await this.call(base, 'GET', `/kv?timeout=${timeoutMs}`, undefined, timeoutMs + 500);
    return r.status === 200 ? (JSON.parse(r.body.toString('utf8')) as Record<string, string>) : undefined;
  }

  async status(base: string, timeoutMs = 1000): Promise<NodeStatus | undefined> {
    const r = await this.call(base, 'GET', '/status', undefined, timeoutMs);
    return r.status === 200 ? (JSON.parse(r.body.toString('utf8')) as NodeStatus) : undefined;
  }

  close(): void {
    this.agent.destroy();
  }
}
