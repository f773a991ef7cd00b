// Service ranges, the allocation bitmap, transactions and the Service plan: pure, no I/O.
import t from 'tap';
import { AllocationBitmap, applyTxn, heldIp, heldPorts, ipAt, ipOffset, parseIpRange, parsePortRange, parseServiceRanges, planService, ServiceRangeError } from '../../control-plane/apiserver/allocation/index.js';
import type { KubeObject } from '../../api/kind.js';
import { loadApiConfig } from '../../control-plane/apiserver/config.js';

t.test('allocation - ranges parse, canonicalise and refuse with the flag named', async (t) => {
  const r = parseIpRange('10.96.0.0/12');
  t.same(r, { cidr: '10.96.0.0/12', network: (10 * 2 ** 24) + (96 << 16), size: 2 ** 20 - 2 });
  t.equal(ipAt(r, 0), '10.96.0.1', 'offset 0 is the first usable address');
  t.equal(ipAt(r, r.size - 1), '10.111.255.254', 'the last offset is below the broadcast address');
  t.equal(ipOffset(r, '10.96.0.0'), undefined, 'network address excluded');
  t.equal(ipOffset(r, '10.111.255.255'), undefined, 'broadcast address excluded');
  t.equal(ipOffset(r, '10.96.1.0'), 255);
  t.equal(ipOffset(r, '10.112.0.1'), undefined, 'outside');
  t.equal(parseIpRange('192.168.5.0/30').size, 2);
  t.same(parsePortRange('30000-32767'), { text: '30000-32767', min: 30000, max: 32767, size: 2768 });
  t.same(parsePortRange(' 100 - 100 ').size, 1);
  const bad: [() => unknown, RegExp][] = [
    [() => parseIpRange('10.96.0.0'), /--service-cluster-ip-range: "10.96.0.0" is not a CIDR/],
    [() => parseIpRange('10.96.0.1/12'), /has host bits set; the network is 10.96.0.0\/12/],
    [() => parseIpRange('10.0.0.0/8'), /prefix \/8 is out of range/],
    [() => parseIpRange('10.0.0.0/31'), /prefix \/31 is out of range/],
    [() => parseIpRange('fd00::/108'), /IPv6; only an IPv4 service range is supported/],
    [() => parseIpRange('300.0.0.0/16'), /"300.0.0.0" is not an IPv4 address/],
    [() => parsePortRange('30000'), /--service-node-port-range: "30000" is not MIN-MAX/],
    [() => parsePortRange('32767-30000'), /is empty/],
    [() => parsePortRange('0-10'), /ports must be 1-65535/],
    [() => parsePortRange('60000-70000'), /ports must be 1-65535/],
  ];
  for (const [f, msg] of bad) t.throws(f, msg);
  t.throws(() => parseServiceRanges('x'), ServiceRangeError);
});

t.test('allocation - bitmap: set, clear, first free, count, encode trims trailing zeros', async (t) => {
  const b = new AllocationBitmap(20);
  t.equal(b.encode(), '', 'empty encodes as nothing');
  t.equal(b.firstFree(), 0);
  t.ok(b.set(0));
  t.notOk(b.set(0), 'taken twice is refused');
  t.ok(b.set(1));
  t.ok(b.set(9));
  t.equal(b.firstFree(), 2);
  t.equal(b.firstFree(9), 10);
  t.equal(b.count, 3);
  t.same([...b.offsets()], [0, 1, 9]);
  const again = AllocationBitmap.decode(20, b.encode());
  t.same([...again.offsets()], [0, 1, 9], 'round trip');
  t.equal(Buffer.from(b.encode(), 'base64').length, 2, 'two bytes for offsets below 16');
  t.ok(b.clear(1));
  t.notOk(b.clear(1));
  t.equal(b.count, 2);
  for (let i = 0; i < 20; i++) b.set(i);
  t.equal(b.firstFree(), undefined, 'full');
  t.throws(() => b.set(20), /outside 0..19/);
  const big = new AllocationBitmap(12, Uint8Array.from([0xff, 0xff]));
  t.equal(big.count, 12, 'bits past size (a bigger stored range) are dropped');
});

t.test('allocation - transactions are all or nothing; reserved offsets are never picked by any', async (t) => {
  const b = new AllocationBitmap(4);
  const reserved = new Set([0]);
  t.same(applyTxn(b, [{ type: 'any' }, { type: 'any' }], reserved), { ok: true, offsets: [1, 2] });
  t.same(applyTxn(b, [{ type: 'any' }, { type: 'offset', offset: 1 }], reserved), { ok: false, index: 1, reason: 'taken' });
  t.same([...b.offsets()], [1, 2], 'the failed transaction took nothing');
  t.same(applyTxn(b, [{ type: 'any' }, { type: 'any' }], reserved), { ok: false, index: 1, reason: 'full' });
  t.same([...b.offsets()], [1, 2]);
  t.same(applyTxn(b, [{ type: 'offset', offset: 0 }], reserved), { ok: true, offsets: [0] }, 'a reserved offset can be asked for by number');
  t.same(applyTxn(b, [{ type: 'release', offset: 2 }, { type: 'release', offset: 3 }], reserved), { ok: true, offsets: [2, 3] });
  t.same([...b.offsets()], [0, 1]);
});

const ranges = parseServiceRanges('10.96.0.0/24', '30000-30009');
const svc = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec });

t.test('allocation - plan: what a Service write takes and gives back', async (t) => {
  const p1 = planService(ranges, svc({ ports: [{ port: 80 }] }), undefined);
  t.same([p1.ip, p1.ports, p1.errors], [{ type: 'any' }, [], []], 'ClusterIP: any IP, no node port');
  const p2 = planService(ranges, svc({ type: 'NodePort', clusterIP: '10.96.0.7', ports: [{ port: 80 }, { port: 81, nodePort: 30005 }] }), undefined);
  t.same(p2.ip, { type: 'offset', offset: 6 });
  t.same(p2.ports, [{ index: 0, want: { type: 'any' } }, { index: 1, want: { type: 'offset', offset: 5 } }]);
  const headless = planService(ranges, svc({ clusterIP: 'None', ports: [{ port: 80 }] }), undefined);
  t.same([headless.ip, (headless.object.spec as { clusterIPs?: unknown }).clusterIPs], [undefined, ['None']], 'headless takes nothing');
  t.same(planService(ranges, svc({ type: 'ExternalName', externalName: 'example.com' }), undefined).ip, undefined, 'ExternalName takes nothing');
  t.same(planService(ranges, svc({ clusterIP: '10.97.0.1', ports: [{ port: 80 }] }), undefined).errors, [
    { field: 'spec.clusterIP', type: 'FieldValueInvalid', detail: 'Invalid value: "10.97.0.1": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/24' },
  ]);
  t.same(planService(ranges, svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }), undefined).errors, [
    { field: 'spec.ports[0].nodePort', type: 'FieldValueInvalid', detail: 'Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-30009' },
  ]);
  t.same(planService(ranges, svc({ clusterIP: 'not-an-ip' }), undefined).errors, [], 'bad syntax is left to validation');
  // Updates.
  const old = svc({ type: 'NodePort', clusterIP: '10.96.0.7', clusterIPs: ['10.96.0.7'], ports: [{ name: 'a', port: 80, nodePort: 30001 }] });
  const kept = planService(ranges, svc({ type: 'NodePort', ports: [{ name: 'a', port: 80 }] }), old);
  t.same(kept.object.spec, { type: 'NodePort', clusterIP: '10.96.0.7', clusterIPs: ['10.96.0.7'], ports: [{ name: 'a', port: 80, nodePort: 30001 }] }, 'left-out values are kept');
  t.same([kept.ip, kept.ports, kept.releaseIp, kept.releasePorts], [undefined, [], undefined, []]);
  const toClusterIP = planService(ranges, svc({ type: 'ClusterIP', clusterIP: '10.96.0.7', ports: [{ name: 'a', port: 80, nodePort: 30001 }] }), old);
  t.same([toClusterIP.releasePorts, (toClusterIP.object.spec as { ports: unknown[] }).ports], [[1], [{ name: 'a', port: 80 }]], 'NodePort → ClusterIP drops and gives back the node port');
  const toExternal = planService(ranges, svc({ type: 'ExternalName', externalName: 'x.example', clusterIP: '10.96.0.7', ports: [{ name: 'a', port: 80, nodePort: 30001 }] }), old);
  t.same([toExternal.releaseIp, toExternal.releasePorts], [6, [1]], '→ ExternalName gives back IP and node port');
  t.notOk('clusterIP' in (toExternal.object.spec as object));
  t.equal(heldIp(ranges, old), 6);
  t.same(heldPorts(ranges, old), [1]);
});

t.test('allocation - --service-cluster-ip-range and --service-node-port-range on shoal-control-plane', async (t) => {
  const load = (...more: string[]) => loadApiConfig(['--api-listen-address', '127.0.0.1:6443', ...more]).api!.serviceRanges;
  t.same([load().ip.cidr, load().port.text], ['10.96.0.0/12', '30000-32767'], 'defaults as kubeadm');
  const r = load('--service-cluster-ip-range', '10.100.0.0/16', '--service-node-port-range=31000-31099');
  t.same([r.ip.cidr, r.port.text, r.port.size], ['10.100.0.0/16', '31000-31099', 100]);
  t.throws(() => load('--service-cluster-ip-range', '10.100.0.0'), { name: 'ConfigError', message: /--service-cluster-ip-range: "10.100.0.0" is not a CIDR/ });
  t.throws(() => load('--service-node-port-range', '5-1'), { name: 'ConfigError', message: /--service-node-port-range: 5-1 is empty/ });
  t.throws(() => loadApiConfig(['--service-cluster-ip-range', '10.100.0.0/16']), /--service-cluster-ip-range needs --api-listen-address/);
});
