// The `kubernetes` Service and its Endpoints, kept by two in-process API servers over one
// in-memory store: the Service gets the first address of the range and port 443 → the API port;
// the Endpoints list every live API server; a clean stop leaves them; an API server whose lease
// expired (it died) is dropped and its lease deleted. Addresses are only data here: no traffic.
import t from 'tap';
import { MemoryStorage } from '../../control-plane/apiserver/storage/index.js';
import { ADVERTISE_ANNOTATION, APISERVER_LEASE_LABEL } from '../../control-plane/apiserver/index.js';
import { failure } from './helpers/api-conn.js';
import type { ApiConn, Obj } from './helpers/api-conn.js';
import { startInProcess } from './helpers/in-process-server.js';
import { sleep } from '../store/helpers/store-cluster.js';

const NOT_FOUND = 5;
const storage = new MemoryStorage();
const common = { storage, options: {} } as const;
const a = await startInProcess(t, { ...common, options: { name: 'cp-a', kubernetesService: { advertiseIp: '127.0.0.2', port: 6443, intervalMs: 100, leaseSeconds: 30 } } });
const b = await startInProcess(t, { ...common, options: { name: 'cp-b', kubernetesService: { advertiseIp: '127.0.0.3', port: 6443, intervalMs: 100, leaseSeconds: 30 } } });

const ipsOf = (e: Obj): string[] => ((e.subsets as { addresses?: { ip: string }[] }[] | undefined) ?? []).flatMap((s) => (s.addresses ?? []).map((x) => x.ip));

/** Waits (bounded) until the Endpoints list exactly these IPs. */
async function endpointsBecome(conn: ApiConn, want: string[], what: string): Promise<Obj> {
  const deadline = Date.now() + 20_000;
  let last: Obj | undefined;
  for (;;) {
    last = await conn.get('endpoints', 'default', 'kubernetes').catch(() => undefined);
    if (last !== undefined && JSON.stringify(ipsOf(last)) === JSON.stringify(want)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last?.subsets)}`);
    await sleep(50);
  }
}

t.test('kubernetes service - first address of the range, 443 → the API port, no selector', async (t) => {
  const svc = await a.conn.get('services', 'default', 'kubernetes');
  const spec = svc.spec as { clusterIP: string; ports: { name: string; port: number; targetPort: number; protocol: string }[]; selector?: unknown };
  t.equal(spec.clusterIP, '10.96.0.1');
  t.same(spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]);
  t.equal(spec.selector, undefined, 'no selector: the endpoints controller leaves its Endpoints alone');
  t.same(svc.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
});

t.test('kubernetes service - Endpoints: every live API server; a clean stop leaves; a dead one expires', async (t) => {
  const both = await endpointsBecome(a.conn, ['127.0.0.2', '127.0.0.3'], 'both API servers');
  t.same((both.subsets as { ports: unknown }[])[0]!.ports, [{ name: 'https', port: 6443, protocol: 'TCP' }]);
  const leases = (await a.conn.list('leases', 'kube-system')).items.filter((l) => l.metadata.labels?.[APISERVER_LEASE_LABEL] !== undefined);
  t.same(leases.map((l) => [l.metadata.name, l.metadata.annotations?.[ADVERTISE_ANNOTATION]]).sort(), [['apiserver-cp-a', '127.0.0.2:6443'], ['apiserver-cp-b', '127.0.0.3:6443']], 'a lease per API server');
  await b.server.close();
  await endpointsBecome(a.conn, ['127.0.0.2'], 'B left on close');
  t.equal((await failure(a.conn.get('leases', 'kube-system', 'apiserver-cp-b'))).code, NOT_FOUND, "B's lease deleted on a clean stop");
  // A server that died: its lease is renewed no more and runs out.
  await a.conn.create('leases', 'kube-system', {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'apiserver-ghost', labels: { [APISERVER_LEASE_LABEL]: 'kube-apiserver' }, annotations: { [ADVERTISE_ANNOTATION]: '127.0.0.4:6443' } },
    spec: { holderIdentity: 'ghost', leaseDurationSeconds: 1, renewTime: new Date().toISOString() },
  });
  await endpointsBecome(a.conn, ['127.0.0.2', '127.0.0.4'], 'the other server while its lease is live');
  await endpointsBecome(a.conn, ['127.0.0.2'], 'the dead server dropped once its lease expired');
  const deadline = Date.now() + 10_000;
  while ((await a.conn.get('leases', 'kube-system', 'apiserver-ghost').catch(() => undefined)) !== undefined) {
    if (Date.now() > deadline) throw new Error('the expired lease was not deleted');
    await sleep(50);
  }
  t.pass('the expired lease is deleted');
});

t.test('kubernetes service - deleted by hand, it comes back with the same address', async (t) => {
  await a.conn.delete('services', 'default', 'kubernetes');
  const deadline = Date.now() + 20_000;
  let back: Obj | undefined;
  while (back === undefined) {
    if (Date.now() > deadline) throw new Error('the kubernetes Service was not re-created');
    await sleep(50);
    back = await a.conn.get('services', 'default', 'kubernetes').catch(() => undefined);
  }
  t.equal((back.spec as { clusterIP: string }).clusterIP, '10.96.0.1');
});
