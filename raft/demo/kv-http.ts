// The demo's HTTP API. Any member takes writes and reads:
// - PUT /kv/<key> (body = value) and DELETE /kv/<key>: a follower forwards the proposal to the
//   leader inside Raft; the answer (200 {"index":N}) comes once the entry is applied on the
//   member that was asked.
// - GET /kv/<key>: linearizable (ReadIndex confirmed by the leader, then the local state);
//   ?serializable=1 reads the local state as is. 404 when absent.
// - GET /kv: every key as JSON {key: value as UTF-8}, linearizable like GET /kv/<key>.
// - GET /status: id, role, leader, term, commit, applied, ...
// Every answer carries `x-shoal-leader: <id>` (0 = unknown) so a client can go to the leader.
// Failures: 503 with {code:"dropped"} when there is no leader (retry, elsewhere or later),
// 504 {code:"timeout"} when the outcome is unknown, 503 {code:"lost"} when a leader change
// discarded the write (safe to retry). ?timeout=<ms> overrides the server's deadline.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NodeError, NodeErrorCode } from '../node/errors.js';
import type { RaftNode } from '../node/raft-node.js';
import type { KvStateMachine } from './kv-state-machine.js';
import { KvOp, encodeCommand } from './kv-state-machine.js';

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_TIMEOUT_MS = 60_000;

export interface KvHttpOptions {
  node: RaftNode;
  sm: KvStateMachine;
  /** Deadline of a write or linearizable read when the request names none. */
  defaultTimeoutMs: number;
}

const STATUS_OF: Record<NodeErrorCode, number> = {
  [NodeErrorCode.Dropped]: 503,
  [NodeErrorCode.Timeout]: 504,
  [NodeErrorCode.Lost]: 503,
  [NodeErrorCode.Unknown]: 500,
  [NodeErrorCode.Stopped]: 503,
  [NodeErrorCode.Failed]: 503,
};

export function kvHttpHandler(o: KvHttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { node, sm } = o;

  const send = (res: ServerResponse, status: number, body: string | Uint8Array, type = 'application/json'): void => {
    res.writeHead(status, {
      'content-type': type,
      'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
      'x-shoal-leader': String(node.leaderId),
    });
    res.end(body);
  };
  const fail = (res: ServerResponse, e: unknown): void => {
    if (e instanceof NodeError) {
      send(res, STATUS_OF[e.code], JSON.stringify({ error: e.message, code: e.code, leader: node.leaderId }) + '\n');
    } else {
      send(res, 500, JSON.stringify({ error: (e as Error)?.message ?? String(e), code: 'internal' }) + '\n');
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const timeoutParam = url.searchParams.get('timeout');
    const timeoutMs = timeoutParam === null ? o.defaultTimeoutMs : Number(timeoutParam);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
      send(res, 400, JSON.stringify({ error: `timeout must be an integer of milliseconds in (0, ${MAX_TIMEOUT_MS}]` }) + '\n');
      return;
    }
    const linearizable = url.searchParams.get('serializable') === null;
    const path = url.pathname;

    if (path === '/status' && req.method === 'GET') {
      send(res, 200, JSON.stringify(node.status()) + '\n');
      return;
    }
    if (path === '/kv' && req.method === 'GET') {
      if (linearizable) await node.readIndex({ timeoutMs });
      const all: Record<string, string> = {};
      for (const [k, v] of sm.entries()) all[k] = Buffer.from(v).toString('utf8');
      send(res, 200, JSON.stringify(all) + '\n');
      return;
    }
    if (!path.startsWith('/kv/') || path.length === 4) {
      send(res, 404, JSON.stringify({ error: `no route ${req.method} ${path}` }) + '\n');
      return;
    }
    let key: string;
    try {
      key = decodeURIComponent(path.slice(4));
    } catch {
      send(res, 400, JSON.stringify({ error: 'the key is not valid percent-encoding' }) + '\n');
      return;
    }
    switch (req.method) {
      case 'GET': {
        if (linearizable) await node.readIndex({ timeoutMs });
        const v = sm.get(key);
        if (v === undefined) send(res, 404, JSON.stringify({ error: `key "${key}" not found` }) + '\n');
        else send(res, 200, v, 'application/octet-stream');
        return;
      }
      case 'PUT': {
        const value = await readBody(req);
        if (value === undefined) {
          send(res, 413, JSON.stringify({ error: `values are at most ${MAX_BODY_BYTES} bytes` }) + '\n');
          return;
        }
        const { index } = await node.propose(encodeCommand({ op: KvOp.Put, key, value }), { timeoutMs });
        send(res, 200, `{"index":${index}}\n`);
        return;
      }
      case 'DELETE': {
        const { index } = await node.propose(encodeCommand({ op: KvOp.Delete, key }), { timeoutMs });
        send(res, 200, `{"index":${index}}\n`);
        return;
      }
      default:
        send(res, 405, JSON.stringify({ error: `method ${req.method} not allowed` }) + '\n');
    }
  };

  return (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) fail(res, e);
      else res.destroy();
    });
  };
}

/** The request body, or undefined when it is larger than MAX_BODY_BYTES. */
function readBody(req: IncomingMessage): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (b: Buffer) => {
      size += b.byteLength;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(b);
    });
    req.on('end', () => resolve(tooLarge ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
