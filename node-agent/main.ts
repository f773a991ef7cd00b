// shoal-agent's command line: `shoal-agent run --server <addr,...> --node-name <n> --data-dir <dir>`.
// The connection is insecure for now; `join` (mTLS node identity) comes with the security work.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ShoalClient, insecureCredentials, systemClock } from '../client/index.js';
import { AGENT_VERSION, Agent } from './agent.js';
import { startAgentHttp } from './http-server.js';
import { DockerRuntime } from './runtime/index.js';
import { NodeTunnels, loadImagesDirectory } from './tunnel/index.js';

const USAGE = `usage: shoal-agent run --server <host:port>[,<host:port>...] [--node-name <name>] [--data-dir <dir>]
                       [--http-address <host:port>] [--docker-socket <path>] [--log-level <level>]`;

export class UsageError extends Error {
  readonly code = 'AGENT_USAGE';
}

export interface RunOptions {
  readonly servers: string[];
  readonly nodeName: string;
  readonly dataDir: string;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly dockerSocket: string;
  readonly logLevel: string;
}

export function parseRunArgs(argv: readonly string[]): RunOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      'node-name': { type: 'string' },
      'data-dir': { type: 'string' },
      'http-address': { type: 'string' },
      'docker-socket': { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  if (positionals[0] !== 'run') throw new UsageError(`unknown or missing command ${JSON.stringify(positionals[0] ?? '')}\n${USAGE}`);
  const servers = (values.server ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (servers.length === 0) throw new UsageError(`--server: at least one API server address is required\n${USAGE}`);
  const http = values['http-address'] ?? '127.0.0.1:10250';
  const m = /^(.*):(\d+)$/.exec(http);
  if (!m) throw new UsageError(`--http-address: expected host:port, got ${JSON.stringify(http)}`);
  return {
    servers,
    nodeName: (values['node-name'] ?? hostname()).toLowerCase(),
    dataDir: values['data-dir'] ?? '/var/lib/shoal',
    httpHost: m[1] ?? '127.0.0.1',
    httpPort: Number(m[2]),
    dockerSocket: values['docker-socket'] ?? '/var/run/docker.sock',
    logLevel: values['log-level'] ?? 'info',
  };
}

export async function main(argv: readonly string[]): Promise<void> {
  let opts: RunOptions;
  try {
    opts = parseRunArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const log = pino({ level: opts.logLevel, base: { component: 'shoal-agent', node: opts.nodeName } });
  const client = new ShoalClient({ servers: opts.servers, credentials: insecureCredentials });
  const runtime = new DockerRuntime({ socketPath: opts.dockerSocket });
  // Images dropped in <data-dir>/images are loaded before pods start (they may need them).
  await loadImagesDirectory(runtime, opts.dataDir, log).catch((e: unknown) => log.warn({ err: (e as Error).message }, 'images directory not loaded'));
  const agent = new Agent({ client, runtime, clock: systemClock, log, config: { nodeName: opts.nodeName, dataDir: opts.dataDir } });
  await agent.start();
  // Logs, exec and image load: tunnels this agent opens to every API server it knows.
  const tunnels = new NodeTunnels({ servers: client.connection.servers, credentials: client.connection.credentials, nodeName: opts.nodeName, agentVersion: AGENT_VERSION, runtime, log }).start();
  const http = await startAgentHttp(opts.httpHost, opts.httpPort, agent.metrics);
  log.info({ servers: opts.servers, http: `${opts.httpHost}:${http.port}`, dataDir: agent.dataDir }, 'agent running');
  const shutdown = async (signal: string): Promise<void> => {
    log.info({ signal }, 'stopping (containers keep running)');
    await tunnels.stop();
    await agent.stop();
    await http.close();
    client.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

