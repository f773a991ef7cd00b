// Command-line flags of the demo key-value server, validated up front.
import type { NodeId } from '../core/types.js';

export interface KvServerArgs {
  id: NodeId;
  /** Every founding member's peer address (host:port), this one included. */
  peers: Map<NodeId, string>;
  dataDir: string;
  httpPort: number;
  httpHost: string;
  clusterId: number;
  tickMs: number;
  electionTick: number;
  snapshotEvery: number;
  /** fsync the WAL (default on; off only for experiments). */
  fsync: boolean;
  requestTimeoutMs: number;
  /** See RaftNodeOptions.leaderSendsBeforePersist (off by default). */
  leaderSendsBeforePersist: boolean;
}

export const KV_SERVER_USAGE = `usage: node --import tsx raft/demo/kv-server.ts --id N --peers 1=127.0.0.1:2380,2=127.0.0.1:2381,3=127.0.0.1:2382
         --data-dir DIR --http-port PORT [--http-host 127.0.0.1] [--cluster-id 1] [--tick-ms 100]
         [--election-tick 10] [--snapshot-every 10000] [--request-timeout-ms 5000] [--no-fsync] [--leader-sends-before-persist]`;

export class ArgsError extends Error {
  constructor(message: string) {
    super(`${message}\n${KV_SERVER_USAGE}`);
    this.name = 'ArgsError';
  }
}

export function parseKvServerArgs(argv: string[]): KvServerArgs {
  const flags = new Map<string, string>();
  let fsync = true;
  let leaderSendsBeforePersist = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--no-fsync') {
      fsync = false;
      continue;
    }
    if (a === '--leader-sends-before-persist') {
      leaderSendsBeforePersist = true;
      continue;
    }
    if (!a.startsWith('--')) throw new ArgsError(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    if (eq > 0) {
      flags.set(a.slice(2, eq), a.slice(eq + 1));
    } else {
      const v = argv[++i];
      if (v === undefined) throw new ArgsError(`${a} needs a value`);
      flags.set(a.slice(2), v);
    }
  }
  const known = ['id', 'peers', 'data-dir', 'http-port', 'http-host', 'cluster-id', 'tick-ms', 'election-tick', 'snapshot-every', 'request-timeout-ms'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new ArgsError(`unknown flag --${k}`);
  const need = (k: string): string => {
    const v = flags.get(k);
    if (v === undefined || v === '') throw new ArgsError(`--${k} is required`);
    return v;
  };
  const int = (k: string, def: number | undefined, min: number, max: number): number => {
    const raw = flags.get(k) ?? (def === undefined ? need(k) : String(def));
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new ArgsError(`--${k} must be an integer in [${min}, ${max}], got "${raw}"`);
    return n;
  };
  const id = int('id', undefined, 1, 2 ** 31);
  const peers = new Map<NodeId, string>();
  for (const part of need('peers').split(',')) {
    const m = /^(\d+)=(\S+:\d{1,5})$/.exec(part.trim());
    if (!m) throw new ArgsError(`--peers entries look like 1=127.0.0.1:2380, got "${part}"`);
    const pid = Number(m[1]);
    if (peers.has(pid)) throw new ArgsError(`--peers lists member ${pid} twice`);
    peers.set(pid, m[2]!);
  }
  if (!peers.has(id)) throw new ArgsError(`--peers must include this member (${id})`);
  return {
    id,
    peers,
    dataDir: need('data-dir'),
    httpPort: int('http-port', undefined, 0, 65535),
    httpHost: flags.get('http-host') ?? '127.0.0.1',
    clusterId: int('cluster-id', 1, 1, 2 ** 31),
    tickMs: int('tick-ms', 100, 1, 60_000),
    electionTick: int('election-tick', 10, 2, 1000),
    snapshotEvery: int('snapshot-every', 10_000, 1, 2 ** 31),
    fsync,
    requestTimeoutMs: int('request-timeout-ms', 5000, 1, 600_000),
    leaderSendsBeforePersist,
  };
}
