// Two API servers in this process on one real Shoal store (one member on loopback) create
// Services at the same time: no cluster IP or node port is ever handed out twice, and the
// allocation bitmaps end equal to the set in use. A third server with other ranges refuses to
// allocate instead of corrupting the cluster's state.
import t from 'tap';
import { parseServiceRanges } from '../../control-plane/apiserver/allocation/index.js';
import { EtcdStorage } from '../../control-plane/apiserver/storage/index.js';
import { StoreCluster } from '../store/helpers/store-cluster.js';
import { failure } from './helpers/api-conn.js';
import { startInProcess } from './helpers/in-process-server.js';
import { clusterIPOf, heldOffsets, nodePortsOf, storedOffsets } from './helpers/service-ranges.js';

const FAILED_PRECONDITION = 9;
const PER_SERVER = 100;

const cluster = await StoreCluster.start(t, { size: 1 });
const endpoints = cluster.members.map((m) => `http://127.0.0.1:${m.clientPort}`);
const ranges = parseServiceRanges();
const storageA = new EtcdStorage({ endpoints });
const storageB = new EtcdStorage({ endpoints });
const a = await startInProcess(t, { storage: storageA, options: { serviceRanges: ranges } });
const b = await startInProcess(t, { storage: storageB, options: { serviceRanges: ranges } });

const svc = (name: string, i: number): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  // Every third one asks for a node port, every seventh for a fixed one (some of those collide on purpose).
  spec: {
    type: i % 3 === 0 ? 'NodePort' : 'ClusterIP',
    selector: { app: name },
    ports: [{ port: 80, ...(i % 3 === 0 && i % 7 === 0 ? { nodePort: 30000 + (i % 5) } : {}) }],
  },
});

t.test('allocation - concurrent creates on two API servers never share an IP or a port', async (t) => {
  // 200 creates at once on a 2-core machine shared with the whole suite: what is checked is who
  // gets which IP and port, not how fast, so a slow answer must not count as a refusal.
  a.conn.callTimeoutMs = b.conn.callTimeoutMs = 120_000;
  const results = await Promise.allSettled(
    Array.from({ length: PER_SERVER * 2 }, (_, i) => (i % 2 === 0 ? a : b).conn.create('services', 'default', svc(`s${i}`, i))),
  );
  const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { code: number; details: string }] : []));
  for (const r of refused) t.match(r.details, /spec.ports\[0\].nodePort: Invalid value: \d+: provided port is already allocated/, 'only fixed node ports that collide are refused');
  const services = (await a.conn.list('services', 'default')).items.filter((s) => s.metadata.name!.startsWith('s'));
  t.equal(services.length, PER_SERVER * 2 - refused.length, 'every other create succeeded');
  t.ok(services.length >= 190, `nearly all admitted (${services.length})`);
  const stats = [a, b].map((s) => s.server.serviceAllocators.ips.stats);
  t.comment(`IP allocator: ${JSON.stringify(stats)} (batches per server, writes, compare-and-swaps lost to the other server)`);
  const ips = services.map((s) => clusterIPOf(s)!);
  t.equal(new Set(ips).size, ips.length, 'cluster IPs distinct');
  const ports = services.flatMap(nodePortsOf);
  t.equal(new Set(ports).size, ports.length, 'node ports distinct');
  const nodePortServices = Array.from({ length: PER_SERVER * 2 }, (_, i) => i).filter((i) => i % 3 === 0).length;
  t.equal(ports.length, nodePortServices - refused.length, 'one node port per admitted NodePort Service');
  const all = (await a.conn.list('services', '')).items;
  t.same(await storedOffsets(storageA, ranges, 'ips'), heldOffsets(ranges, all, 'ips'), 'IP bitmap = IPs in use');
  t.same(await storedOffsets(storageA, ranges, 'ports'), heldOffsets(ranges, all, 'ports'), 'port bitmap = node ports in use');
  // Deletes in parallel on both give everything back.
  await Promise.all(services.map((s, i) => (i % 2 === 0 ? a : b).conn.delete('services', 'default', s.metadata.name!)));
  const left = (await a.conn.list('services', '')).items;
  t.same(await storedOffsets(storageA, ranges, 'ips'), heldOffsets(ranges, left, 'ips'), 'after the deletes: IP bitmap = IPs in use');
  t.same(await storedOffsets(storageA, ranges, 'ports'), [], 'after the deletes: no node port taken');
});

t.test('allocation - an API server with other ranges refuses to allocate, naming both', async (t) => {
  const storageC = new EtcdStorage({ endpoints });
  const c = await startInProcess(t, { storage: storageC, options: { serviceRanges: parseServiceRanges('10.100.0.0/16') } });
  const e = await failure(c.conn.create('services', 'default', svc('other', 1)));
  t.equal(e.code, FAILED_PRECONDITION);
  t.equal(e.details, "this API server's --service-cluster-ip-range is 10.100.0.0/16 but the cluster's (in the store at /registry/ranges/serviceips) is 10.96.0.0/12: every API server of a cluster must use the same range");
});
