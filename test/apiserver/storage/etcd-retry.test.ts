// Retried writes find their own earlier success. A loopback proxy in front of a real etcd drops
// the connection as soon as the answer to a write starts coming back: the write was received
// (and most likely applied), the client saw only a broken connection. EtcdStorage retries on
// the second endpoint (the same etcd, directly) and must report success exactly once, with
// the true revisions, whatever the first attempt did.
import net from 'node:net';
import t from 'tap';
import { EtcdCluster } from '../../chaos/etcd-cluster.js';
import { EtcdStorage, StorageErrorCode } from '../../../control-plane/apiserver/storage/index.js';
import type { FailoverInfo } from '../../../control-plane/apiserver/storage/index.js';
import { WatchCollector } from './watch-collector.js';

const cluster = new EtcdCluster({ size: 1, dirPrefix: 'shoal-api-storage-retry-' });
t.teardown(() => cluster.stop());
await cluster.start();
const direct = cluster.members()[0]!.clientUrl;
const etcdPort = Number(new URL(direct).port);

/** Forwards to etcd; when armed, the next bytes etcd sends back close both connections instead. */
class DropProxy {
  armed = false;
  drops = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((client) => {
    const up = net.connect(etcdPort, '127.0.0.1');
    this.sockets.add(client).add(up);
    const kill = (): void => {
      client.destroy();
      up.destroy();
    };
    client.on('data', (d) => up.write(d));
    up.on('data', (d) => {
      if (this.armed) {
        this.armed = false;
        this.drops++;
        kill();
      } else client.write(d);
    });
    client.on('error', kill).on('close', kill);
    up.on('error', kill).on('close', kill);
  });

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    return (this.server.address() as net.AddressInfo).port;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const proxy = new DropProxy();
const proxyPort = await proxy.listen();
t.teardown(() => proxy.close());

t.test('etcd storage - a write whose answer was lost is retried and reports its own success', async (t) => {
  const failovers: FailoverInfo[] = [];
  const s = new EtcdStorage({ endpoints: [direct] });
  t.teardown(() => s.close());
  const P = `/retry-${process.pid}/`;
  const enc = (x: string): Uint8Array => new TextEncoder().encode(x);
  const start = await s.currentRevision();
  const w = new WatchCollector(s, P, start);
  t.teardown(() => w.close());

  /** Runs op on a fresh storage that starts on the proxy, with the proxy armed. */
  const dropped = async <R>(op: (x: EtcdStorage) => Promise<R>): Promise<R> => {
    const x = new EtcdStorage({ endpoints: [`http://127.0.0.1:${proxyPort}`, direct], onFailover: (f) => failovers.push(f) });
    try {
      await x.get(`${P}warm`); // connected through the proxy, so the drop hits the write's answer
      proxy.armed = true;
      const drops = proxy.drops;
      const r = await op(x);
      t.equal(proxy.drops, drops + 1, 'the answer was dropped');
      return r;
    } finally {
      proxy.armed = false;
      await x.close();
    }
  };

  const created = await dropped((x) => x.create(`${P}a`, enc('v1')));
  const updated = await dropped((x) => x.update(`${P}a`, enc('v2'), created.modRevision));
  const deleted = await dropped((x) => x.delete(`${P}a`, updated.modRevision));

  const events = await w.waitEvents(3);
  t.same(events.map((e) => [e.type, e.modRevision]), [
    ['put', created.modRevision],
    ['put', updated.modRevision],
    ['delete', deleted.revision],
  ], 'each write applied once, at the revision it reported');
  t.equal(new TextDecoder().decode(deleted.prev.value), 'v2', 'delete reports the deleted value');
  t.equal(deleted.prev.modRevision, updated.modRevision);
  t.equal(created.createRevision, created.modRevision);
  t.equal(updated.createRevision, created.createRevision);
  t.ok(failovers.length >= 3, `each write failed over once at least (${failovers.length})`);

  // The retry check never turns someone else's conflict into success.
  const b = await s.create(`${P}b`, enc('mine'));
  await s.update(`${P}b`, enc('theirs'), b.modRevision);
  await t.rejects(dropped((x) => x.update(`${P}b`, enc('late'), b.modRevision)), { code: StorageErrorCode.Conflict }, 'a real conflict stays a conflict');
});
