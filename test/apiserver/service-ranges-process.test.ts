// The service ranges in real shoal-control-plane processes (3 members on loopback): the flags
// reach the API servers, the allocation state is readable with etcdctl, the kubernetes Service
// gets the range's first address and its Endpoints every API server; SIGTERM takes a server out
// of them. Bad range flags stop the start with exit code 2 and the flag named.
import t from 'tap';
import { ControlPlaneCluster } from './helpers/control-plane-cluster.js';
import { ApiConn } from './helpers/api-conn.js';
import type { Obj } from './helpers/api-conn.js';
import { LAUNCHER, run, sleep } from '../store/helpers/store-cluster.js';

const portsOf = (e: Obj | undefined): number[] => ((e?.subsets as { ports: { port: number }[] }[] | undefined) ?? []).map((s) => s.ports[0]!.port).sort((a, b) => a - b);

t.test('service ranges - flags, etcdctl view, the kubernetes Service and its Endpoints', async (t) => {
  const cp = await ControlPlaneCluster.start(t, { apiArgs: ['--service-cluster-ip-range', '10.100.0.0/16', '--service-node-port-range', '31000-31999'] });
  const conn = new ApiConn(cp.apiEndpoint('m1'));
  t.teardown(() => conn.close());
  const svc = await conn.get('services', 'default', 'kubernetes');
  t.equal((svc.spec as { clusterIP: string }).clusterIP, '10.100.0.1', 'the first address of --service-cluster-ip-range');
  const web = await conn.create('services', 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] } });
  t.match((web.spec as { clusterIP: string }).clusterIP, /^10\.100\./);
  const nodePort = (web.spec as { ports: { nodePort: number }[] }).ports[0]!.nodePort;
  t.ok(nodePort >= 31000 && nodePort <= 31999, `node port ${nodePort} from --service-node-port-range`);
  const raw = JSON.parse(await cp.ctl(['get', '/registry/ranges/serviceips', '--print-value-only'])) as { kind: string; range: string };
  t.same([raw.kind, raw.range], ['RangeAllocation', '10.100.0.0/16'], 'the allocation object, readable with etcdctl');
  const apiPorts = cp.names.map((n) => Number(cp.apiEndpoint(n).split(':')[1])).sort((a, b) => a - b);
  const waitPorts = async (want: number[], what: string): Promise<void> => {
    const deadline = Date.now() + 60_000;
    let last: Obj | undefined;
    while (JSON.stringify(portsOf(last)) !== JSON.stringify(want)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last?.subsets)}`);
      await sleep(200);
      last = await conn.get('endpoints', 'default', 'kubernetes').catch(() => undefined);
    }
    t.pass(what);
  };
  await waitPorts(apiPorts, 'the Endpoints list all three API servers');
  await cp.kill('m3', 'SIGTERM');
  const m3 = Number(cp.apiEndpoint('m3').split(':')[1]);
  await waitPorts(apiPorts.filter((p) => p !== m3), 'a server stopped with SIGTERM left them');
});

t.test('service ranges - bad flags stop the start (exit 2) naming the flag', async (t) => {
  const r = await run(process.execPath, [LAUNCHER, '--api-listen-address', '127.0.0.1:0', '--service-cluster-ip-range', '10.96.0.0/33']);
  t.equal(r.code, 2);
  t.match(r.stderr, /--service-cluster-ip-range: prefix \/33 is out of range/);
  const p = await run(process.execPath, [LAUNCHER, '--api-listen-address', '127.0.0.1:0', '--service-node-port-range', '40000-30000']);
  t.equal(p.code, 2);
  t.match(p.stderr, /--service-node-port-range: 40000-30000 is empty/);
});
