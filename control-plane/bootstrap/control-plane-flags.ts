// The flag set a control-plane host runs with (pure): etcd's flags for the store member with TLS
// on both ports (client certificates required), and the API server's (contract C1) with TLS on
// its port, Node+RBAC, service-account keys, encryption at rest, an audit log and mTLS to the
// store. It is what the state file D/control-plane.yaml records: keys are flag names.
import { isIP } from 'node:net';
import type { DataDirLayout } from './data-dir-layout.js';
import type { HostOptions } from './host-options.js';
import { NODE_IPAM_DEFAULTS } from '../apiserver/node-ipam-flags.js';
import { NODE_LIFECYCLE_DEFAULTS, nodeLifecycleFlagValues } from '../apiserver/node-lifecycle-flags.js';

export type FlagValue = string | boolean;
/** Flag name (without "--") → value, in a stable order. */
export type FlagSet = Readonly<Record<string, FlagValue>>;

/** What the API server of this build understands (until every part of issue 5 is merged). */
export interface Features {
  /** C1's security flags (TLS, authn/authz, keys, audit, store mTLS). */
  readonly apiSecurity: boolean;
  /** C1's control-loop flags. */
  readonly controlLoops: boolean;
}

export const ALL_FEATURES: Features = { apiSecurity: true, controlLoops: true };

export interface ClusterMember {
  readonly name: string;
  readonly peerUrls: readonly string[];
}

export interface ClusterPlan {
  /** 'new' founds the cluster (init); 'existing' joins it after MemberAdd. */
  readonly state: 'new' | 'existing';
  /** Every member including this host (join: the list MemberAdd returned). */
  readonly members: readonly ClusterMember[];
  /** Other members' client URLs, for the API server's store failover. */
  readonly otherClientUrls: readonly string[];
}

/** The cluster token is part of every member id: init and join must agree on it. */
export const CLUSTER_TOKEN = 'shoal';

export function hostPort(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

export function storeScheme(f: Features): 'https' | 'http' {
  return f.apiSecurity ? 'https' : 'http';
}

/** This host's peer URL (always https: the peers authenticate each other). */
export function peerUrl(o: HostOptions): string {
  return `https://${hostPort(o.advertiseAddress, o.ports.peer)}`;
}

export function clientUrl(o: HostOptions, f: Features): string {
  return `${storeScheme(f)}://${hostPort(o.advertiseAddress, o.ports.client)}`;
}

export function apiServer(o: HostOptions): string {
  return hostPort(o.advertiseAddress, o.ports.api);
}

/** The first founding member list of `init`. */
export function foundingCluster(o: HostOptions): ClusterPlan {
  return { state: 'new', members: [{ name: o.name, peerUrls: [peerUrl(o)] }], otherClientUrls: [] };
}

export function controlPlaneFlags(o: HostOptions, d: DataDirLayout, c: ClusterPlan, f: Features): FlagSet {
  const p = d.pki.pairs;
  const scheme = storeScheme(f);
  const listenClient = [`${scheme}://${hostPort(o.listenAddress, o.ports.client)}`];
  // Local tools (etcdctl on the host) use 127.0.0.1 when the host listens elsewhere.
  if (o.listenAddress !== '127.0.0.1' && o.listenAddress !== '0.0.0.0' && o.listenAddress !== '::') listenClient.push(`${scheme}://127.0.0.1:${o.ports.client}`);
  const mine = clientUrl(o, f);
  const timings = nodeLifecycleFlagValues(o.nodeLifecycle ?? NODE_LIFECYCLE_DEFAULTS);
  const flags: Record<string, FlagValue> = {
    name: o.name,
    'data-dir': d.storeDir,
    'listen-client-urls': listenClient.join(','),
    'advertise-client-urls': mine,
    'listen-peer-urls': `https://${hostPort(o.listenAddress, o.ports.peer)}`,
    'initial-advertise-peer-urls': peerUrl(o),
    'initial-cluster': c.members.flatMap((m) => m.peerUrls.map((u) => `${m.name}=${u}`)).join(','),
    'initial-cluster-state': c.state,
    'initial-cluster-token': CLUSTER_TOKEN,
    'peer-cert-file': p['store-peer'].cert,
    'peer-key-file': p['store-peer'].key,
    'peer-trusted-ca-file': p.ca.cert,
    'peer-client-cert-auth': true,
  };
  if (f.apiSecurity) {
    Object.assign(flags, {
      'cert-file': p['store-server'].cert,
      'key-file': p['store-server'].key,
      'trusted-ca-file': p.ca.cert,
      'client-cert-auth': true,
    });
  }
  Object.assign(flags, {
    'api-listen-address': hostPort(o.listenAddress, o.ports.api),
    'api-http-listen-address': hostPort(o.listenAddress, o.ports.apiHttp),
    // The local member first: the API server fails over to the others in order.
    'api-store-endpoints': [mine, ...c.otherClientUrls.filter((u) => u !== mine)].join(','),
    // Recorded so that restarts keep them; every host of a cluster must use the same.
    'service-cluster-ip-range': o.serviceClusterIpRange,
    'service-node-port-range': o.serviceNodePortRange,
    'default-not-ready-toleration-seconds': timings['default-not-ready-toleration-seconds'],
    'default-unreachable-toleration-seconds': timings['default-unreachable-toleration-seconds'],
  });
  if (f.apiSecurity) {
    Object.assign(flags, {
      'api-tls-cert-file': p.apiserver.cert,
      'api-tls-private-key-file': p.apiserver.key,
      'api-client-ca-file': p.ca.cert,
      'api-authorization-mode': 'Node,RBAC',
      'api-anonymous-admin': false,
      'api-service-account-key-file': d.serviceAccountPublicKey,
      'api-service-account-issuer': 'shoal',
      'api-encryption-provider-config': d.encryptionConfig,
      'api-audit-log-path': d.auditLog,
      'api-audit-log-maxsize': '100',
      'api-audit-log-maxbackup': '3',
      'api-store-cafile': p.ca.cert,
      'api-store-certfile': p['apiserver-store-client'].cert,
      'api-store-keyfile': p['apiserver-store-client'].key,
      'api-cluster-signing-cert-file': p.ca.cert,
      'api-cluster-signing-key-file': p.ca.key,
    });
  }
  if (f.controlLoops) {
    Object.assign(flags, {
      'control-loops': true,
      'scheduler-config': d.schedulerConfig,
      'controller-manager-config': d.controllerManagerConfig,
      'service-account-private-key-file': d.serviceAccountKey,
      // Node IPAM (init/join --cluster-cidr etc.; kubeadm's defaults): every host of a cluster uses the same.
      'allocate-node-cidrs': (o.nodeIpam ?? NODE_IPAM_DEFAULTS).allocateNodeCIDRs,
      'cluster-cidr': (o.nodeIpam ?? NODE_IPAM_DEFAULTS).clusterCIDR,
      'node-cidr-mask-size': String((o.nodeIpam ?? NODE_IPAM_DEFAULTS).nodeCIDRMaskSize),
      // Node loss timings (init/join --node-monitor-grace-period etc.): how soon pods leave a silent worker.
      'node-monitor-grace-period': timings['node-monitor-grace-period'],
      'node-monitor-period': timings['node-monitor-period'],
    });
  }
  return flags;
}

/** The flag set as command-line arguments (--name=value; booleans as --flag=true|false). */
export function flagArgs(flags: FlagSet): string[] {
  return Object.entries(flags).map(([k, v]) => `--${k}=${String(v)}`);
}
