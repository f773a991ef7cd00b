// The service allocation repair loop of an in-process API server (in-memory storage), with the
// damage made by writing the allocation objects and Services straight into the store: leaks are
// released on the second pass only, unmarked IPs and ports are marked, and Services outside the
// range or sharing an IP get a Warning event.
import t from 'tap';
import type { Test } from 'tap';
import { AllocationBitmap, decodeRangeAllocation, encodeRangeAllocation, ipOffset, parseServiceRanges, portOffset, RANGE_KEYS, rangeAllocationObject } from '../../control-plane/apiserver/allocation/index.js';
import { encodeStored } from '../../control-plane/apiserver/registry/codec.js';
import type { KubeObject } from '../../api/kind.js';
import { startInProcess } from './helpers/in-process-server.js';
import { assertConsistent, clusterIPOf, nodePortsOf, storedOffsets } from './helpers/service-ranges.js';

const ranges = parseServiceRanges('10.96.0.0/24', '30000-30099');
const s = await startInProcess(t, { options: { serviceRanges: ranges, serviceRepairIntervalMs: 0 } });
const api = s.conn;
const repair = s.server.allocationRepair;

/** Changes a stored bitmap behind the API server's back. */
async function tamper(which: 'ips' | 'ports', change: (b: AllocationBitmap) => void): Promise<void> {
  const key = which === 'ips' ? RANGE_KEYS.serviceIPs : RANGE_KEYS.nodePorts;
  const v = (await s.storage.get(key))!;
  const o = decodeRangeAllocation(v.value);
  const b = AllocationBitmap.decode(which === 'ips' ? ranges.ip.size : ranges.port.size, o.data);
  change(b);
  await s.storage.update(key, encodeRangeAllocation(rangeAllocationObject(o.metadata.name, o.range, b)), v.modRevision);
}

/** A Service written straight into the store (no admission): how damage from elsewhere looks. */
async function rawService(name: string, spec: Record<string, unknown>): Promise<void> {
  const o: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }, spec: { selector: { app: name }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], ...spec } };
  await s.storage.create(`/registry/services/default/${name}`, encodeStored(o));
}

/** The bitmaps equal the sets the stored Services hold. */
const consistent = (t: Test, what: string): Promise<void> => assertConsistent(t, api, s.storage, ranges, what);

const eventsAbout = async (name: string): Promise<{ reason: string; message: string; type: string }[]> =>
  (await api.list('events', 'default')).items.filter((e) => (e.involvedObject as { name?: string }).name === name).map((e) => ({ reason: e.reason as string, message: e.message as string, type: e.type as string }));

t.test('repair - a leak is released on the second pass, not the first', async (t) => {
  const svc = await api.create('services', 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'keep' }, spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80 }] } });
  const leakIp = ipOffset(ranges.ip, '10.96.0.200')!;
  const leakPort = portOffset(ranges.port, 30050)!;
  await tamper('ips', (b) => b.set(leakIp));
  await tamper('ports', (b) => b.set(leakPort));
  const first = await repair.runOnce();
  t.same([first.ips.leaked, first.ips.released, first.ports.leaked, first.ports.released], [['10.96.0.200'], [], [30050], []], 'pass 1: seen, kept');
  t.ok((await storedOffsets(s.storage, ranges, 'ips')).includes(leakIp), 'still marked after one pass');
  const second = await repair.runOnce();
  t.same([second.ips.released, second.ports.released], [['10.96.0.200'], [30050]], 'pass 2: released');
  await consistent(t, 'after the second pass');
  t.equal(clusterIPOf(await api.get('services', 'default', 'keep')), clusterIPOf(svc), 'the live Service keeps its IP');
  await api.delete('services', 'default', 'keep');
});

t.test('repair - an offset taken for an in-flight create is not released once its Service appears', async (t) => {
  const inFlight = ipOffset(ranges.ip, '10.96.0.150')!;
  const r = await s.server.serviceAllocators.ips.transact([{ type: 'offset', offset: inFlight }]);
  t.ok(r.ok, 'taken as a create would');
  const first = await repair.runOnce();
  t.same(first.ips.leaked, ['10.96.0.150'], 'looks leaked while the Service is not written yet');
  await rawService('late', { clusterIP: '10.96.0.150', clusterIPs: ['10.96.0.150'] });
  const second = await repair.runOnce();
  t.same([second.ips.released, second.ips.leaked], [[], []], 'held now: neither released nor leaked');
  await consistent(t, 'in-flight');
  await api.delete('services', 'default', 'late');
});

t.test('repair - IPs and ports held but not marked are marked, with a Warning event', async (t) => {
  const svc = await api.create('services', 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'lost' }, spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80 }] } });
  const ip = clusterIPOf(svc)!;
  const port = nodePortsOf(svc)[0]!;
  await tamper('ips', (b) => b.clear(ipOffset(ranges.ip, ip)!));
  await tamper('ports', (b) => b.clear(portOffset(ranges.port, port)!));
  const pass = await repair.runOnce();
  t.same([pass.ips.marked, pass.ports.marked], [[ip], [port]]);
  await consistent(t, 'after marking');
  const events = await eventsAbout('lost');
  t.same(events.map((e) => [e.type, e.reason]).sort(), [['Warning', 'ClusterIPNotAllocated'], ['Warning', 'PortNotAllocated']]);
  t.match(events.find((e) => e.reason === 'ClusterIPNotAllocated')?.message, `Cluster IP ${ip} is not allocated; repairing`);
  const created = await api.create('services', 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'next' }, spec: { selector: { app: 'y' }, ports: [{ port: 80 }] } });
  t.not(clusterIPOf(created), ip, 'the marked IP is not handed out again');
  await api.delete('services', 'default', 'lost');
  await api.delete('services', 'default', 'next');
});

t.test('repair - a Service outside the range or sharing an IP gets a Warning event, once', async (t) => {
  const first = await api.create('services', 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'first' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } });
  const ip = clusterIPOf(first)!;
  await rawService('outside', { clusterIP: '10.200.0.5', clusterIPs: ['10.200.0.5'] });
  await rawService('twin', { clusterIP: ip, clusterIPs: [ip] });
  await rawService('farport', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 31999 }] });
  await repair.runOnce();
  await repair.runOnce();
  t.same(await eventsAbout('outside'), [{ type: 'Warning', reason: 'ClusterIPOutOfRange', message: 'Cluster IP 10.200.0.5 is not within the service CIDR 10.96.0.0/24; please recreate service' }], 'out of range, reported once over two passes');
  t.same(await eventsAbout('twin'), [{ type: 'Warning', reason: 'ClusterIPAlreadyAllocated', message: `Cluster IP ${ip} was assigned to multiple services; please recreate service` }], 'the newer of two Services with one IP');
  t.same(await eventsAbout('first'), [], 'the older one is left alone');
  t.match((await eventsAbout('farport'))[0], { reason: 'PortOutOfRange', message: 'Port 31999 is not within the port range 30000-30099; please recreate service' });
  for (const n of ['first', 'outside', 'twin', 'farport']) await api.delete('services', 'default', n);
});
