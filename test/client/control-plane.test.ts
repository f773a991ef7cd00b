// The client against a real 3-process control plane (store member + API server per process):
// the process whose API server a client and its informer use is SIGKILLed (its store member with
// it, which may be the leader); reads, writes and the informer continue on the others with no
// lost or repeated event.
import t from 'tap';
import type { KubeObject } from '../../api/kind.js';
import { ShoalClient } from '../../client/index.js';
import { ControlPlaneCluster } from '../apiserver/helpers/control-plane-cluster.js';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

t.test('client - keeps working when the API server it was using dies (real processes)', async (t) => {
  const cp = await ControlPlaneCluster.start(t);
  const client = new ShoalClient({ servers: cp.names.map((n) => cp.apiEndpoint(n)), namespace: 'default', callTimeoutMs: 10_000 });
  t.teardown(() => client.close());
  await client.resource<ConfigMap>('configmaps').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'counter' }, data: { n: '0' } });
  const inf = client.informer<ConfigMap>('configmaps');
  const seen: number[] = [];
  inf.addHandlers({ onUpdate: (_old, o) => seen.push(Number(o.data?.['n'])) });
  inf.start();
  t.teardown(() => inf.stop());
  t.equal(await inf.waitForSync({ timeoutMs: 60_000 }), true);
  // The victim is whichever member's API server the client (and so its informer) now uses.
  const victim = cp.names.find((n) => cp.apiEndpoint(n) === client.connection.currentServer())!;
  const writer = new ShoalClient({ servers: cp.names.filter((n) => n !== victim).map((n) => cp.apiEndpoint(n)), namespace: 'default', callTimeoutMs: 10_000 });
  t.teardown(() => writer.close());
  const cms = writer.resource<ConfigMap>('configmaps');

  const total = 40;
  for (let i = 1; i <= total; i++) {
    // "set n to i" is safe to repeat; undefined = already done (a write whose answer was lost)
    await cms.updateWithRetry('counter', (c) => (c.data?.['n'] === String(i) ? undefined : { ...c, data: { n: String(i) } }), { maxAttempts: 20 });
    if (i === 15) await cp.kill(victim, 'SIGKILL');
    if (i === 25) t.equal((await client.resource<ConfigMap>('configmaps').get('counter')).data?.['n'], '25', 'reads continue on another server');
  }
  const deadline = Date.now() + 60_000;
  while (seen.at(-1) !== total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.same(seen, Array.from({ length: total }, (_, i) => i + 1), 'the informer saw every update exactly once, in order');
  t.not(client.connection.currentServer(), cp.apiEndpoint(victim), 'the client moved on');
  // a write through the client itself lands on a live server
  const made = await client.resource<ConfigMap>('configmaps').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after' } });
  t.ok(made.metadata.uid);
});
