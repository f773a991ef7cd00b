// A ServiceProxier in a namespace of the test's own, on one iptables back end, against an
// in-process API server; short periods so canary repairs and resyncs happen within a test.
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Test } from 'tap';
import { endpointsSchema } from '../../../api/index.js';
import type { Endpoints, EndpointsInput, Service, ServiceInput } from '../../../api/index.js';
import { ShoalClient, insecureCredentials, systemClock } from '../../../client/index.js';
import { CommandIptables, ServiceProxier } from '../../../node-agent/index.js';
import type { IptablesBackend, ProxierConfig, SyncReport } from '../../../node-agent/index.js';
import { ApiServers } from '../../client/helpers/api-servers.js';
import { makeNetns } from './netns.js';
import type { Netns } from './netns.js';

export interface ProxyRig {
  readonly ns: Netns;
  readonly client: ShoalClient;
  readonly iptables: CommandIptables;
  readonly proxier: ServiceProxier;
  readonly metrics: Registry;
  readonly reports: SyncReport[];
  /** iptables-save of the rig's back end in its namespace. */
  save(): Promise<string>;
  /** Plain iptables of the rig's back end in its namespace; rejects on failure. */
  iptablesCmd(...argv: string[]): Promise<void>;
  service(name: string, spec: ServiceInput['spec']): Promise<Service>;
  endpoints(name: string, subsets: EndpointsInput['subsets']): Promise<Endpoints>;
}

export async function proxyRig(t: Test, backend: IptablesBackend, config: Partial<ProxierConfig> = {}, ns?: Netns): Promise<ProxyRig> {
  const netns = ns ?? (await makeNetns(t));
  const servers = await ApiServers.start(t, 1);
  const client = new ShoalClient({ servers: servers.addresses, credentials: insecureCredentials });
  t.teardown(() => client.close());
  const iptables = new CommandIptables({ backend, prefix: netns.prefix });
  const metrics = new Registry();
  const reports: SyncReport[] = [];
  const proxier = new ServiceProxier({
    client,
    iptables,
    clock: systemClock,
    log: pino({ level: process.env.SHOAL_TEST_LOG ?? 'silent' }),
    metrics,
    onSynced: (r) => reports.push(r),
    config: { nodeName: 'worker-1', clusterCIDR: '10.244.0.0/16', minSyncPeriodMs: 20, syncPeriodMs: 60_000, canaryPeriodMs: 300, retryPeriodMs: 200, ...config },
  });
  t.teardown(() => proxier.stop());
  return {
    ns: netns,
    client,
    iptables,
    proxier,
    metrics,
    reports,
    save: () => iptables.save(),
    iptablesCmd: async (...argv) => {
      const r = await iptables.run(['-w', ...argv]);
      if (r.code !== 0) throw new Error(`iptables ${argv.join(' ')}: ${r.stderr}`);
    },
    service: (name, spec) => client.resource('services', 'default').create({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec }),
    endpoints: async (name, subsets) => {
      const res = client.resource('endpoints', 'default');
      const body = { apiVersion: 'v1' as const, kind: 'Endpoints' as const, metadata: { name }, subsets };
      const cur = await res.get(name).catch(() => undefined);
      return cur === undefined ? res.create(body) : res.update({ ...cur, subsets: endpointsSchema.parse(body).subsets });
    },
  };
}
