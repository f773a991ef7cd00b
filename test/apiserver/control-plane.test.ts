// The API server inside shoal-control-plane: three real processes (store member + API server
// each) on loopback; any API server serves any request; objects are readable with etcdctl.
import t from 'tap';
import { credentials, Metadata } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { HealthClient } from '../../proto/gen/grpc/health/v1/health.js';
import type { HealthCheckResponse } from '../../proto/gen/grpc/health/v1/health.js';
import type { ComponentStatusesResponse, MembersResponse, VersionResponse } from '../../proto/gen/shoal/api/v1/api.js';
import { ControlPlaneCluster } from './helpers/control-plane-cluster.js';
import { ApiConn } from './helpers/api-conn.js';

function unary<Res>(f: (req: object, md: Metadata, opts: object, cb: (e: ServiceError | null, r?: Res) => void) => unknown, self: object): Promise<Res> {
  return new Promise((resolve, reject) => f.call(self, {}, new Metadata(), { deadline: new Date(Date.now() + 15_000) }, (e, r) => (e !== null ? reject(e) : resolve(r!))));
}

t.test('apiserver - a 3-member control plane serves the API on every member', async (t) => {
  const cp = await ControlPlaneCluster.start(t);
  const conns = cp.names.map((n) => new ApiConn(cp.apiEndpoint(n)));
  t.teardown(() => conns.forEach((c) => c.close()));
  const [a, b, c] = conns as [ApiConn, ApiConn, ApiConn];

  const made = await a.create('configmaps', 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' }, data: { greeting: 'hello' } });
  t.same((await b.get('configmaps', 'default', 'web')).data, { greeting: 'hello' }, 'another API server reads it');
  t.equal((await c.list('configmaps', 'default')).items.length, 1);

  const raw = await cp.ctl(['get', '/registry/configmaps/default/web', '--print-value-only']);
  const stored = JSON.parse(raw) as { metadata: Record<string, unknown>; data: unknown };
  t.same(stored.data, { greeting: 'hello' }, 'etcdctl shows the object as JSON under /registry');
  t.equal(stored.metadata.uid, made.metadata.uid);
  t.equal(stored.metadata.resourceVersion, undefined, 'resourceVersion is the mod revision, not stored');
  const keys = await cp.ctl(['get', '/registry/namespaces/', '--prefix', '--keys-only']);
  t.match(keys, /\/registry\/namespaces\/default/);
  t.match(keys, /\/registry\/namespaces\/kube-system/);

  const version = await unary<VersionResponse>(a.cluster.version, a.cluster);
  t.equal(version.version, '0.1.0');
  t.match(version.gitCommit, /^([0-9a-f]{40}|unknown)$/);
  const members = await unary<MembersResponse>(a.cluster.members, a.cluster);
  t.equal(members.members.length, 3);
  t.equal(members.members.filter((m) => m.leader).length, 1, 'one leader');
  t.ok(members.members.every((m) => m.healthy && /^[0-9a-f]+$/.test(m.id) && m.raftTerm > 0 && m.raftAppliedIndex > 0 && m.dbSize > 0));
  const cs = await unary<ComponentStatusesResponse>(b.cluster.componentStatuses, b.cluster);
  const byName = new Map(cs.components.map((x) => [x.name, x]));
  for (const m of ['m1', 'm2', 'm3']) t.equal(byName.get(`store-${m}`)?.healthy, true, `store-${m} healthy`);
  t.equal(byName.get('api-server-m2')?.healthy, true);
  t.same(byName.get('scheduler'), { name: 'scheduler', healthy: false, message: '', error: 'no leader elected yet' });
  t.equal(byName.get('controller-manager')?.error, 'no leader elected yet');

  const health = new HealthClient(cp.apiEndpoint('m3'), credentials.createInsecure());
  t.teardown(() => health.close());
  const h = await new Promise<HealthCheckResponse>((resolve, reject) => health.check({ service: '' }, (e, r) => (e !== null ? reject(e) : resolve(r))));
  t.equal(h.status, 1, 'gRPC health SERVING');
  for (const path of ['/livez', '/readyz']) t.equal((await fetch(cp.httpUrl('m1', path))).status, 200, path);
  const metrics = await (await fetch(cp.httpUrl('m1', '/metrics'))).text();
  t.match(metrics, /shoal_apiserver_requests_total\{verb="create",resource="configmaps",code="OK"\} 1/);
  t.match(metrics, /shoal_apiserver_store_request_duration_seconds_bucket/);
  t.match(metrics, /shoal_apiserver_request_duration_seconds_bucket\{le="[^"]+",verb="create",resource="configmaps"\}/);
});
