// The flags of `shoal-control-plane init` and `join`, parsed and checked (pure: the home folder
// is passed in). Everything wrong is reported before anything is written.
import { isIP } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_SERVICE_CLUSTER_IP_RANGE, DEFAULT_SERVICE_NODE_PORT_RANGE, parseServiceRanges, ServiceRangeError } from '../apiserver/allocation/index.js';
import { BootstrapError } from './bootstrap-error.js';
import { parseNodeIpamFlags } from '../apiserver/node-ipam-flags.js';
import type { NodeIpamConfig } from '../apiserver/node-ipam-flags.js';
import { NODE_LIFECYCLE_FLAGS, parseNodeLifecycleFlags } from '../apiserver/node-lifecycle-flags.js';
import type { NodeLifecycleConfig } from '../apiserver/node-lifecycle-flags.js';

export interface HostPorts {
  readonly client: number;
  readonly peer: number;
  readonly api: number;
  readonly apiHttp: number;
}

export const DEFAULT_PORTS: HostPorts = { client: 2379, peer: 2380, api: 6443, apiHttp: 6444 };

/** One control-plane host: where it keeps its state and how it is reached. */
export interface HostOptions {
  readonly dataDir: string;
  readonly name: string;
  /** The address the other hosts and clients reach this one at. */
  readonly advertiseAddress: string;
  /** The address the ports are bound to (default: the advertise address). */
  readonly listenAddress: string;
  readonly ports: HostPorts;
  /** Where the admin client config is written (init) — default ~/.shoal/config. */
  readonly adminConfig: string;
  /** The Services' ranges (canonical text); every control-plane host of a cluster uses the same. */
  readonly serviceClusterIpRange: string;
  readonly serviceNodePortRange: string;
  /** Node IPAM (--allocate-node-cidrs, --cluster-cidr, --node-cidr-mask-size); absent = kubeadm's defaults. */
  readonly nodeIpam?: NodeIpamConfig;
  /** Node loss timings (--node-monitor-grace-period, --node-monitor-period, --default-*-toleration-seconds); absent = Kubernetes' defaults. */
  readonly nodeLifecycle?: NodeLifecycleConfig;
}

export interface JoinOptions extends HostOptions {
  /** host:port of an API server of the cluster. */
  readonly server: string;
  readonly token: string;
  readonly caCertHash: string;
  readonly certificateKey: string;
  /** The service range flags given on the command line (the others follow the cluster's). */
  readonly givenServiceRanges: readonly ServiceRangeFlag[];
}

export const SERVICE_RANGE_FLAGS = ['service-cluster-ip-range', 'service-node-port-range'] as const;
export type ServiceRangeFlag = (typeof SERVICE_RANGE_FLAGS)[number];

const HOST_FLAGS = ['data-dir', 'name', 'advertise-address', 'listen-address', 'client-port', 'peer-port', 'api-port', 'api-http-port', 'admin-config', 'service-cluster-ip-range', 'service-node-port-range', 'allocate-node-cidrs', 'cluster-cidr', 'node-cidr-mask-size', ...NODE_LIFECYCLE_FLAGS] as const;
const JOIN_FLAGS = ['token', 'ca-cert-hash', 'certificate-key'] as const;
type Flag = (typeof HOST_FLAGS)[number] | (typeof JOIN_FLAGS)[number];

export const INIT_USAGE = `usage: shoal-control-plane init --data-dir DIR --name NAME --advertise-address IP
       [--listen-address IP] [--client-port 2379] [--peer-port 2380] [--api-port 6443]
       [--api-http-port 6444] [--admin-config PATH (default ~/.shoal/config)]
       [--service-cluster-ip-range ${DEFAULT_SERVICE_CLUSTER_IP_RANGE}] [--service-node-port-range ${DEFAULT_SERVICE_NODE_PORT_RANGE}]
       [--cluster-cidr 10.244.0.0/16] [--node-cidr-mask-size 24] [--allocate-node-cidrs true]
       [--node-monitor-grace-period 40s] [--node-monitor-period 5s]
       [--default-not-ready-toleration-seconds 300] [--default-unreachable-toleration-seconds 300]
  Creates the cluster CA and this host's certificates in DIR (once), then runs the store member
  and the API server over TLS and prints the join commands. Run again: just starts.`;

export const JOIN_USAGE = `usage: shoal-control-plane join HOST:PORT --token T --ca-cert-hash sha256:H --certificate-key K
       --data-dir DIR --name NAME --advertise-address IP [--listen-address IP]
       [--client-port 2379] [--peer-port 2380] [--api-port 6443] [--api-http-port 6444] [--admin-config PATH]
       [--service-cluster-ip-range CIDR] [--service-node-port-range MIN-MAX] (the same as init's)
       [--node-monitor-grace-period D] [--node-monitor-period D] [--default-not-ready-toleration-seconds N]
       [--default-unreachable-toleration-seconds N] (give the same as init's: the active host's apply)
  Checks the cluster CA against H, fetches the control-plane secrets with T and K, adds this host
  to the store as a learner, promotes it once caught up and starts its API server. Run again on
  a joined DIR: just starts.`;

const bad = (msg: string): BootstrapError => new BootstrapError('bad-flags', msg);

function parse(argv: readonly string[], allowed: readonly Flag[]): { flags: Map<Flag, string>; positional: string[] } {
  const flags = new Map<Flag, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) {
      positional.push(a);
      continue;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = (eq >= 0 ? body.slice(0, eq) : body) as Flag;
    if (!allowed.includes(name)) throw bad(`unknown flag --${name}`);
    const value = eq >= 0 ? body.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw bad(`flag --${name} needs a value`);
    flags.set(name, value);
  }
  return { flags, positional };
}

function port(flags: Map<Flag, string>, name: Flag, fallback: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1 || v > 65535) throw bad(`--${name} must be a port 1-65535, got "${raw}"`);
  return v;
}

function required(flags: Map<Flag, string>, name: Flag): string {
  const v = flags.get(name);
  if (v === undefined || v === '') throw bad(`--${name} is required`);
  return v;
}

function address(flag: Flag, raw: string): string {
  if (isIP(raw) === 0) throw bad(`--${flag} must be an IP address, got "${raw}"`);
  return raw;
}

function hostOptions(flags: Map<Flag, string>, homeDir: string | undefined): HostOptions {
  const name = required(flags, 'name');
  if (!/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/.test(name)) throw bad(`--name "${name}" must be a DNS name (lower case letters, digits, "-", "."; at most 63)`);
  const advertiseAddress = address('advertise-address', required(flags, 'advertise-address'));
  const listenAddress = address('listen-address', flags.get('listen-address') ?? advertiseAddress);
  const ports: HostPorts = {
    client: port(flags, 'client-port', DEFAULT_PORTS.client),
    peer: port(flags, 'peer-port', DEFAULT_PORTS.peer),
    api: port(flags, 'api-port', DEFAULT_PORTS.api),
    apiHttp: port(flags, 'api-http-port', DEFAULT_PORTS.apiHttp),
  };
  const seen = new Map<number, string>();
  for (const [k, v] of Object.entries(ports)) {
    const other = seen.get(v);
    if (other !== undefined) throw bad(`the ${other} and ${k} ports are both ${v}`);
    seen.set(v, k);
  }
  let adminConfig = flags.get('admin-config');
  if (adminConfig === undefined || adminConfig === '') {
    if (homeDir === undefined || homeDir === '') throw bad('no home folder for ~/.shoal/config: pass --admin-config PATH');
    adminConfig = join(homeDir, '.shoal', 'config');
  }
  let ranges;
  try {
    ranges = parseServiceRanges(flags.get('service-cluster-ip-range'), flags.get('service-node-port-range'));
  } catch (e) {
    if (e instanceof ServiceRangeError) throw bad(e.message);
    throw e;
  }
  let nodeIpam: NodeIpamConfig;
  try {
    nodeIpam = parseNodeIpamFlags(flags as ReadonlyMap<string, string>);
  } catch (e) {
    throw bad((e as Error).message);
  }
  let nodeLifecycle: NodeLifecycleConfig;
  try {
    nodeLifecycle = parseNodeLifecycleFlags(flags as ReadonlyMap<string, string>);
  } catch (e) {
    throw bad((e as Error).message);
  }
  return { dataDir: required(flags, 'data-dir'), name, advertiseAddress, listenAddress, ports, adminConfig, serviceClusterIpRange: ranges.ip.cidr, serviceNodePortRange: ranges.port.text, nodeIpam, nodeLifecycle };
}

export function parseInitOptions(argv: readonly string[], homeDir: string | undefined): HostOptions {
  const { flags, positional } = parse(argv, HOST_FLAGS);
  if (positional.length > 0) throw bad(`unexpected argument "${positional[0]}"`);
  return hostOptions(flags, homeDir);
}

export function parseJoinOptions(argv: readonly string[], homeDir: string | undefined): JoinOptions {
  const { flags, positional } = parse(argv, [...HOST_FLAGS, ...JOIN_FLAGS]);
  if (positional.length !== 1) throw bad(`want exactly one HOST:PORT of the cluster's API server, got ${positional.length === 0 ? 'none' : positional.join(' ')}`);
  const server = positional[0]!;
  if (!/^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):\d{1,5}$/.test(server)) throw bad(`"${server}" is not HOST:PORT`);
  // The values are secrets: messages never echo them.
  const token = required(flags, 'token');
  if (!/^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(token)) throw bad('--token must be "<6 of [a-z0-9]>.<16 of [a-z0-9]>"');
  const caCertHash = required(flags, 'ca-cert-hash');
  if (!/^sha256:[0-9a-fA-F]{64}$/.test(caCertHash)) throw bad('--ca-cert-hash must be "sha256:" and 64 hex digits');
  const certificateKey = required(flags, 'certificate-key');
  if (!/^[0-9a-fA-F]{64}$/.test(certificateKey)) throw bad('--certificate-key must be 64 hex digits');
  const givenServiceRanges = SERVICE_RANGE_FLAGS.filter((f) => flags.has(f));
  return { ...hostOptions(flags, homeDir), server, token, caCertHash: caCertHash.toLowerCase(), certificateKey: certificateKey.toLowerCase(), givenServiceRanges };
}
