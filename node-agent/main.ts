// shoal-agent's command line:
//   shoal-agent join <host:port> --token <t> --ca-cert-hash sha256:<h> [--data-dir d] [--node-name n]
//   shoal-agent run [--server <addr,...>] [--node-name <n>] [--data-dir <dir>] ...
//   shoal-agent cleanup [--data-dir <dir>] [--docker-socket <path>]
//   shoal-agent facts [--node-name <n>]   (the capacity this host would report, as JSON)
//   shoal-agent --version | --help
// `run` reads <data-dir>/agent.yaml (written by join; flags override it) and then talks mTLS with
// the node certificate, renewing it before expiry; without agent.yaml it is insecure (dev mode).
import '../client/quiet-ip-servername-warning.js';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ShoalClient, insecureCredentials, systemClock, systemRng, versionLine } from '../client/index.js';
import type { ClientCredentials } from '../client/index.js';
import { AGENT_VERSION, Agent } from './agent.js';
import { hostReport } from './facts-command.js';
import { startAgentHttp } from './http-server.js';
import { AGENT_CONFIG_FILE, CertificateRotator, DEFAULT_DATA_DIR, JoinError, joinCluster, loadAgentConfig, loadNodeCredentials, parseJoinArgs, resolveRunConfig } from './join/index.js';
import type { NodeCredentials } from './join/index.js';
import { runCleanup } from './cleanup-command.js';
import { readHostFacts, readHostUsage } from './node/host-facts.js';
import { DockerRuntime } from './runtime/index.js';
import { parseProxyFlags, proxyOptions, startServiceProxy } from './service-proxy-flags.js';
import type { ProxyOptions } from './service-proxy-flags.js';
import type { ServiceProxier } from './service-proxy/index.js';
import { NodeTunnels, loadImagesDirectory } from './tunnel/index.js';
import { isIPv4 } from 'node:net';
import { PodNetwork, PodNetworkMode, runCommand } from './pod-network/index.js';
import { CidrError, parseIpv4Cidr } from '../api/net/ipv4-cidr.js';

const USAGE = `usage: shoal-agent run [--server <host:port>[,<host:port>...]] [--node-name <name>] [--data-dir <dir>]
                       [--http-address <host:port>] [--docker-socket <path>] [--log-level <level>]
                       [--node-ip <ipv4>] [--pod-network host-gw|none] [--proxy-mode iptables|none] [--cluster-cidr <cidr>]
                       [--proxy-sync-period 30s] [--proxy-min-sync-period 100ms] [--proxy-canary-period 5s]
       shoal-agent cleanup [--data-dir <dir>] [--docker-socket <path>]
       shoal-agent join <api-host:port> --token <id.secret> --ca-cert-hash sha256:<hex> [--data-dir <dir>] [--node-name <name>]
       shoal-agent facts [--node-name <name>]     print the capacity, labels and nodeInfo this host would report (JSON)
       shoal-agent --version | --help`;

export class UsageError extends Error {
  readonly code = 'AGENT_USAGE';
}

export interface RunOptions {
  /** --server, split (empty: take them from agent.yaml). */
  readonly servers: string[];
  /** --node-name (undefined: agent.yaml, else the host name). */
  readonly nodeName: string | undefined;
  readonly dataDir: string;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly dockerSocket: string;
  readonly logLevel: string;
  /** --node-ip: the node's InternalIP (undefined: the host's first address). */
  readonly nodeIP: string | undefined;
  /** --pod-network (default host-gw); none = Docker's default bridge, nothing programmed. */
  readonly podNetwork: PodNetworkMode;
  /** --cluster-cidr: the pods' address range (default 10.244.0.0/16); routes and rules stay inside it. */
  readonly clusterCIDR: string;
  /** --proxy-mode, --cluster-cidr and the proxy's periods. */
  readonly proxy: ProxyOptions;
}

export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';

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
      'node-ip': { type: 'string' },
      'pod-network': { type: 'string' },
      ...proxyOptions,
    },
  });
  if (positionals[0] !== 'run') throw new UsageError(`unknown or missing command ${JSON.stringify(positionals[0] ?? '')}\n${USAGE}`);
  const servers = (values.server ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const http = values['http-address'] ?? '127.0.0.1:10250';
  const m = /^(.*):(\d+)$/.exec(http);
  if (!m) throw new UsageError(`--http-address: expected host:port, got ${JSON.stringify(http)}`);
  const nodeIP = values['node-ip'];
  if (nodeIP !== undefined && !isIPv4(nodeIP)) throw new UsageError(`--node-ip: expected an IPv4 address, got ${JSON.stringify(nodeIP)}`);
  const podNetwork = values['pod-network'] ?? PodNetworkMode.HostGw;
  if (podNetwork !== PodNetworkMode.HostGw && podNetwork !== PodNetworkMode.None) throw new UsageError(`--pod-network: expected host-gw or none, got ${JSON.stringify(podNetwork)}`);
  const clusterCIDR = values['cluster-cidr'] ?? DEFAULT_CLUSTER_CIDR;
  try {
    parseIpv4Cidr(clusterCIDR);
  } catch (e) {
    throw new UsageError(`--cluster-cidr: ${(e as CidrError).message}`);
  }
  return {
    nodeIP,
    podNetwork,
    clusterCIDR,
    servers,
    nodeName: values['node-name']?.toLowerCase(),
    dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR,
    httpHost: m[1] ?? '127.0.0.1',
    httpPort: Number(m[2]),
    dockerSocket: values['docker-socket'] ?? '/var/run/docker.sock',
    logLevel: values['log-level'] ?? 'info',
    proxy: parseProxyFlags(values, UsageError),
  };
}

function fail(e: unknown): void {
  process.stderr.write(`${(e as Error).message}\n`);
  const usage = e instanceof UsageError || (e instanceof JoinError && e.code === 'bad-args') || String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
  process.exitCode = usage ? 2 : 1;
}

async function runJoin(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { token: { type: 'string' }, 'ca-cert-hash': { type: 'string' }, 'data-dir': { type: 'string' }, 'node-name': { type: 'string' } },
  });
  const opts = parseJoinArgs(values, positionals.slice(1));
  const r = await joinCluster(opts, { clock: systemClock });
  process.stdout.write(
    `This node has joined the cluster as "${opts.nodeName}" (certificate signing request ${r.csrName}).\n` +
      `Files: ${r.paths.ca}, ${r.paths.cert}, ${r.paths.key}, ${r.paths.config}\n` +
      `Start the agent: shoal-agent run --data-dir ${opts.dataDir}\n`,
  );
}

const tlsCredentials = (c: NodeCredentials): ClientCredentials => ({ kind: 'tls', ca: Buffer.from(c.caPem), cert: Buffer.from(c.certPem), key: Buffer.from(c.keyPem) });

async function run(argv: readonly string[]): Promise<void> {
  const opts = parseRunArgs(argv);
  const configPath = join(opts.dataDir, AGENT_CONFIG_FILE);
  const resolved = resolveRunConfig(opts, await loadAgentConfig(configPath), configPath, hostname());
  const { servers, nodeName, identity } = resolved;
  const log = pino({ level: opts.logLevel, base: { component: 'shoal-agent', node: nodeName } });
  const runtime = new DockerRuntime({ socketPath: opts.dockerSocket });
  const credentials = identity === undefined ? insecureCredentials : tlsCredentials(await loadNodeCredentials(identity));
  // Images dropped in <data-dir>/images are loaded before pods start (they may need them).
  await loadImagesDirectory(runtime, opts.dataDir, log).catch((e: unknown) => log.warn({ err: (e as Error).message }, 'images directory not loaded'));
  const startAgent = async (c: ClientCredentials): Promise<{ client: ShoalClient; agent: Agent; tunnels: NodeTunnels; network: PodNetwork | undefined; proxy: ServiceProxier | undefined }> => {
    const client = new ShoalClient({ servers, credentials: c });
    let agentRef: Agent | undefined;
    const network =
      opts.podNetwork === PodNetworkMode.HostGw
        ? new PodNetwork({ client, docker: runtime.docker, run: runCommand, clock: systemClock, log: log.child({ component: 'pod-network' }), nodeName, clusterCIDR: opts.clusterCIDR, onChange: () => agentRef?.networkChanged() })
        : undefined;
    const agent = new Agent({ client, runtime, clock: systemClock, log, config: { nodeName, dataDir: opts.dataDir, ...(opts.nodeIP === undefined ? {} : { nodeIP: opts.nodeIP }) }, ...(network === undefined ? {} : { podNetwork: network }) });
    agentRef = agent;
    await agent.start();
    network?.start();
    // Services → iptables; its metrics join the agent's registry. Stopping it leaves the rules.
    const proxy = await startServiceProxy(opts.proxy, { client, nodeName, log, metrics: agent.metrics });
    // Logs, exec and image load: tunnels this agent opens to every API server it knows.
    const tunnels = new NodeTunnels({ servers: client.connection.servers, credentials: client.connection.credentials, nodeName, agentVersion: AGENT_VERSION, runtime, log }).start();
    return { client, agent, tunnels, network, proxy };
  };
  let current = await startAgent(credentials);
  const http = await startAgentHttp(opts.httpHost, opts.httpPort, () => current.agent.metrics);
  log.info({ servers, http: `${opts.httpHost}:${http.port}`, dataDir: current.agent.dataDir, tls: identity !== undefined }, 'agent running');
  // A renewed certificate is used by new connections only: restart the agent on a new client
  // (it adopts its containers; nothing running is touched).
  const rotator =
    identity === undefined
      ? undefined
      : new CertificateRotator({
          paths: identity,
          servers,
          nodeName,
          clock: systemClock,
          rng: systemRng,
          log,
          onRotated: async (next) => {
            const old = current;
            await old.tunnels.stop();
            await old.proxy?.stop();
            await old.network?.stop();
            await old.agent.stop();
            old.client.close();
            current = await startAgent(tlsCredentials(next));
            log.info('reconnected with the renewed node certificate');
          },
        }).start();
  const shutdown = async (signal: string): Promise<void> => {
    log.info({ signal }, 'stopping (containers keep running)');
    await rotator?.stop();
    await current.tunnels.stop();
    await current.proxy?.stop();
    await current.network?.stop();
    await current.agent.stop();
    await http.close();
    current.client.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

async function printFacts(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({ args: [...argv.slice(1)], options: { 'node-name': { type: 'string' } } });
  const facts = await readHostFacts();
  const report = hostReport(facts, await readHostUsage(), (values['node-name'] ?? facts.hostname).toLowerCase(), AGENT_VERSION, systemClock.now());
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

export async function main(argv: readonly string[]): Promise<void> {
  switch (argv[0]) {
    case '--version':
    case 'version':
      process.stdout.write(`${versionLine('shoal-agent')}\n`);
      return;
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    case 'facts':
      await printFacts(argv).catch(fail);
      return;
    case 'cleanup':
      await runCleanup(argv.slice(1)).catch(fail);
      return;
  }
  if (argv[0] === 'join') {
    // Every join failure is a message for the operator (and a non-zero exit), never a stack.
    await runJoin(argv).catch(fail);
    return;
  }
  try {
    await run(argv);
  } catch (e) {
    if (e instanceof UsageError || e instanceof JoinError || String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) fail(e);
    else throw e;
  }
}
