// Cluster IPs and node ports of Services through the gRPC API of an in-process API server
// (in-memory storage): allocation, explicit values, conflicts with their field paths, headless,
// ExternalName, release on delete, type changes, dry run, range errors and exhaustion.
import t from 'tap';
import type { Test } from 'tap';
import { parseServiceRanges } from '../../control-plane/apiserver/allocation/index.js';
import { failure } from './helpers/api-conn.js';
import type { Obj } from './helpers/api-conn.js';
import { startInProcess } from './helpers/in-process-server.js';
import { assertConsistent, clusterIPOf, nodePortsOf, storedOffsets } from './helpers/service-ranges.js';

const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;

// A small range so that exhaustion is quick: 10.96.0.1-10.96.0.14, ports 30000-30004.
const ranges = parseServiceRanges('10.96.0.0/28', '30000-30004');
const s = await startInProcess(t, { options: { serviceRanges: ranges } });
const api = s.conn;

const svc = (name: string, spec: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
});

let nsCounter = 0;
async function namespace(): Promise<string> {
  const name = `alloc-${++nsCounter}`;
  await api.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

async function cleanup(ns: string): Promise<void> {
  for (const o of (await api.list('services', ns)).items) await api.delete('services', ns, o.metadata.name!);
}

/** The bitmaps equal the sets the stored Services hold. */
const consistent = (t: Test, what: string): Promise<void> => assertConsistent(t, api, s.storage, ranges, what);

t.test('allocation - ClusterIP gets an IP from the range, never the reserved first one', async (t) => {
  const ns = await namespace();
  const a = await api.create('services', ns, svc('a'));
  const ip = clusterIPOf(a)!;
  t.match(ip, /^10\.96\.0\.(\d+)$/);
  t.not(ip, '10.96.0.1', 'the first usable IP is kept for the kubernetes Service');
  t.same((a.spec as { clusterIPs?: string[] }).clusterIPs, [ip]);
  t.same(nodePortsOf(a), [], 'no node port for ClusterIP');
  const got = await api.get('services', ns, 'a');
  t.equal(clusterIPOf(got), ip, 'stored');
  await consistent(t, 'after create');
  await cleanup(ns);
});

t.test('allocation - explicit clusterIP honoured when free; taken or outside → field errors', async (t) => {
  const ns = await namespace();
  const a = await api.create('services', ns, svc('a', { clusterIP: '10.96.0.9' }));
  t.equal(clusterIPOf(a), '10.96.0.9');
  const taken = await failure(api.create('services', ns, svc('b', { clusterIP: '10.96.0.9' })));
  t.equal(taken.code, INVALID_ARGUMENT);
  t.equal(taken.details, 'Service "b" is invalid: spec.clusterIP: Invalid value: "10.96.0.9": provided IP is already allocated');
  t.same(taken.causes.map((c) => c.field), ['spec.clusterIP']);
  const outside = await failure(api.create('services', ns, svc('c', { clusterIP: '10.0.0.5' })));
  t.equal(outside.details, 'Service "c" is invalid: spec.clusterIP: Invalid value: "10.0.0.5": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/28');
  const broadcast = await failure(api.create('services', ns, svc('d', { clusterIP: '10.96.0.15' })));
  t.match(broadcast.details, /not in the valid range/, 'the broadcast address is not usable');
  await consistent(t, 'after refusals');
  await cleanup(ns);
});

t.test('allocation - headless and ExternalName take no IP', async (t) => {
  const ns = await namespace();
  const before = await storedOffsets(s.storage, ranges, 'ips');
  const h = await api.create('services', ns, svc('h', { clusterIP: 'None' }));
  t.equal(clusterIPOf(h), 'None');
  t.same((h.spec as { clusterIPs?: string[] }).clusterIPs, ['None']);
  const e = await api.create('services', ns, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'e' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } });
  t.equal(clusterIPOf(e), undefined);
  t.same(await storedOffsets(s.storage, ranges, 'ips'), before, 'nothing taken');
  const np = await failure(api.create('services', ns, svc('hn', { type: 'NodePort', clusterIP: 'None' })));
  t.match(np.details, /spec.clusterIP: Invalid value: "None": may not be set to 'None' for NodePort services/);
  await cleanup(ns);
});

t.test('allocation - node ports: allocated, explicit honoured, conflicts and range errors name the port', async (t) => {
  const ns = await namespace();
  const a = await api.create('services', ns, svc('a', { type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443, nodePort: 30003 }] }));
  const ports = nodePortsOf(a);
  t.equal(ports.length, 2);
  t.equal(ports[1], 30003, 'explicit honoured');
  t.ok(ports[0]! >= 30000 && ports[0]! <= 30004 && ports[0] !== 30003, 'dynamic from the range');
  const taken = await failure(api.create('services', ns, svc('b', { type: 'NodePort', ports: [{ name: 'x', port: 80 }, { name: 'y', port: 81, nodePort: 30003 }] })));
  t.equal(taken.details, 'Service "b" is invalid: spec.ports[1].nodePort: Invalid value: 30003: provided port is already allocated');
  t.same(taken.causes.map((c) => c.field), ['spec.ports[1].nodePort']);
  const range = await failure(api.create('services', ns, svc('c', { type: 'LoadBalancer', ports: [{ port: 80, nodePort: 31000 }] })));
  t.equal(range.details, 'Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 31000: provided port is not in the valid range. The range of valid ports is 30000-30004');
  await consistent(t, 'nothing partial after the refusals (b took an IP and a port before failing)');
  await cleanup(ns);
});

t.test('allocation - a write refused after allocation (validation, name taken) gives everything back', async (t) => {
  const ns = await namespace();
  await api.create('services', ns, svc('dup', { type: 'NodePort' }));
  const exists = await failure(api.create('services', ns, svc('dup', { type: 'NodePort' })));
  t.equal(exists.code, 6, 'ALREADY_EXISTS from the store, after admission took an IP and a port');
  const invalid = await failure(api.create('services', ns, svc('bad', { type: 'NodePort', ports: [{ port: 80 }, { port: 81 }] })));
  t.equal(invalid.code, INVALID_ARGUMENT);
  t.match(invalid.details, /spec.ports\[0\].name: Required value/, 'refused by the kind\'s validation, after allocation');
  await consistent(t, 'after the refused writes');
  await cleanup(ns);
});

t.test('allocation - delete gives IP and node ports back; they can be taken again', async (t) => {
  const ns = await namespace();
  const a = await api.create('services', ns, svc('a', { type: 'NodePort', clusterIP: '10.96.0.5', ports: [{ port: 80, nodePort: 30002 }] }));
  t.equal(clusterIPOf(a), '10.96.0.5');
  await api.delete('services', ns, 'a');
  await consistent(t, 'after delete');
  const b = await api.create('services', ns, svc('b', { type: 'NodePort', clusterIP: '10.96.0.5', ports: [{ port: 80, nodePort: 30002 }] }));
  t.same([clusterIPOf(b), nodePortsOf(b)], ['10.96.0.5', [30002]], 'the same IP and port again');
  // A Service with a finalizer keeps its IP until it is really gone.
  await api.patch('services', ns, 'b', { metadata: { finalizers: ['example.com/hold'] } });
  await api.delete('services', ns, 'b');
  t.equal((await failure(api.create('services', ns, svc('c', { clusterIP: '10.96.0.5' })))).code, INVALID_ARGUMENT, 'still held while being deleted');
  await api.patch('services', ns, 'b', { metadata: { finalizers: null } });
  const c = await api.create('services', ns, svc('c', { clusterIP: '10.96.0.5' }));
  t.equal(clusterIPOf(c), '10.96.0.5', 'free once the last finalizer went');
  await consistent(t, 'after finalizers');
  await cleanup(ns);
});

t.test('allocation - type changes take and give back; updates keep what they leave out', async (t) => {
  const ns = await namespace();
  const a = await api.create('services', ns, svc('a'));
  const ip = clusterIPOf(a);
  const np = await api.patch('services', ns, 'a', { spec: { type: 'NodePort' } });
  t.equal(clusterIPOf(np), ip, 'IP unchanged');
  t.equal(nodePortsOf(np).length, 1, 'ClusterIP → NodePort takes a node port');
  await consistent(t, '→ NodePort');
  const replaced = await api.update('services', ns, { ...np, spec: { type: 'NodePort', selector: { app: 'a' }, ports: [{ port: 80 }] } } as Obj);
  t.same([clusterIPOf(replaced), nodePortsOf(replaced)], [ip, nodePortsOf(np)], 'a replace without clusterIP and nodePort keeps both');
  const back = await api.patch('services', ns, 'a', { spec: { type: 'ClusterIP' } });
  t.same(nodePortsOf(back), [], 'NodePort → ClusterIP drops the node port');
  await consistent(t, '→ ClusterIP');
  const ext = await api.patch('services', ns, 'a', { spec: { type: 'ExternalName', externalName: 'x.example.com' } });
  t.equal(clusterIPOf(ext), undefined, '→ ExternalName drops the IP');
  await consistent(t, '→ ExternalName');
  const again = await api.patch('services', ns, 'a', { spec: { type: 'ClusterIP', externalName: null } });
  t.match(clusterIPOf(again), /^10\.96\.0\./, 'ExternalName → ClusterIP takes an IP');
  await consistent(t, 'ExternalName → ClusterIP');
  const immutable = await failure(api.patch('services', ns, 'a', { spec: { clusterIP: '10.96.0.13' } }));
  t.match(immutable.details, /spec.clusterIP/, 'clusterIP stays immutable');
  await consistent(t, 'after the refused change');
  await cleanup(ns);
});

t.test('allocation - dry run takes nothing', async (t) => {
  const ns = await namespace();
  const before = [await storedOffsets(s.storage, ranges, 'ips'), await storedOffsets(s.storage, ranges, 'ports')];
  const d = await api.create('services', ns, svc('d', { type: 'NodePort' }), { dryRun: true });
  t.match(clusterIPOf(d), /^10\.96\.0\./, 'shows what it would get');
  t.same([await storedOffsets(s.storage, ranges, 'ips'), await storedOffsets(s.storage, ranges, 'ports')], before, 'nothing stored');
});

t.test('allocation - an exhausted range refuses with RESOURCE_EXHAUSTED and takes nothing', async (t) => {
  const ns = await namespace();
  const made: string[] = [];
  // 13 dynamic IPs (offsets 1..13; 0 is reserved).
  for (let i = 0; i < 20; i++) {
    try {
      await api.create('services', ns, svc(`s${i}`));
      made.push(`s${i}`);
    } catch (e) {
      t.equal((e as { code: number }).code, RESOURCE_EXHAUSTED);
      t.equal((e as { details: string }).details, `services "s${i}": failed to allocate a serviceIP: range is full (10.96.0.0/28)`);
      break;
    }
  }
  t.equal(made.length, 13, 'every usable address but the reserved one');
  await api.delete('services', ns, 's0');
  await api.create('services', ns, svc('again'));
  t.pass('a freed address is used again');
  await cleanup(ns);
  const pns = await namespace();
  const ports = await failure(api.create('services', pns, svc('many', { type: 'NodePort', ports: [1, 2, 3, 4, 5, 6].map((p) => ({ name: `p${p}`, port: p })) })));
  t.equal(ports.code, RESOURCE_EXHAUSTED);
  t.match(ports.details, /failed to allocate a nodePort: range is full \(30000-30004\)/);
  await consistent(t, 'after exhaustion');
});
