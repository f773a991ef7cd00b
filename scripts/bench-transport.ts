// Throughput of GrpcTransport on loopback: small messages over one stream, and one big snapshot.
// A reference row for each: the same transport without coalescing, and a plain TCP socket.
// Usage: node --import tsx scripts/bench-transport.ts
import net from 'node:net';
import type { Message } from '../raft/core/types.js';
import { EntryType, MessageType, emptyMessage } from '../raft/core/types.js';
import { GrpcTransport } from '../raft/transport/grpc-transport.js';
import type { GrpcTransportLimits } from '../raft/transport/grpc-transport-options.js';

const MiB = 1024 * 1024;

async function pair(limits: Partial<GrpcTransportLimits> = {}): Promise<[GrpcTransport, GrpcTransport]> {
  const a = new GrpcTransport({ id: 1, clusterId: 1, listen: '127.0.0.1:0', limits });
  const b = new GrpcTransport({ id: 2, clusterId: 1, listen: '127.0.0.1:0', limits });
  await a.start();
  await b.start();
  a.addPeer(2, b.address);
  return [a, b];
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Sends `total` messages made by `make`, keeping at most `window` unacknowledged; msgs/s. */
async function stream(make: (i: number) => Message, total: number, limits: Partial<GrpcTransportLimits> = {}): Promise<{ rate: number; dropped: number }> {
  const [a, b] = await pair(limits);
  let received = 0;
  let dropped = 0;
  b.onMessage(() => received++);
  a.onUnreachable(() => dropped++);
  const window = 3000;
  const perSend = 64;
  const t0 = performance.now();
  let sent = 0;
  const deadline = Date.now() + 120_000;
  while (received < total && Date.now() < deadline) {
    if (sent < total && sent - received < window) {
      const out: Message[] = [];
      for (let i = 0; i < perSend && sent < total; i++) out.push(make(sent++));
      a.send(out);
    } else {
      await tick();
    }
  }
  const secs = (performance.now() - t0) / 1000;
  await Promise.all([a.close(), b.close()]);
  return { rate: received / secs, dropped };
}

async function snapshot(size: number): Promise<{ mbps: number; ms: number }> {
  const [a, b] = await pair();
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) data[i] = i & 0xff;
  let delivered = -1;
  b.onMessage((m) => {
    if (m.type === MessageType.Snap) delivered = performance.now();
  });
  const ok = new Promise<boolean>((resolve) => a.onSnapshotStatus((_id, v) => resolve(v)));
  const t0 = performance.now();
  a.send([{ ...emptyMessage(MessageType.Snap, 1, 2, 1), snapshot: { meta: { index: 1, term: 1, conf: { voters: [1, 2], learners: [] } }, data } }]);
  if (!(await ok) || delivered < 0) throw new Error('snapshot failed');
  const ms = delivered - t0;
  await Promise.all([a.close(), b.close()]);
  return { mbps: size / MiB / (ms / 1000), ms };
}

async function tcpReference(size: number): Promise<number> {
  const server = net.createServer();
  let got = 0;
  const done = new Promise<number>((resolve) => {
    server.on('connection', (s) => {
      s.on('data', (d) => {
        got += d.length;
        if (got >= size) {
          resolve(performance.now());
          s.destroy();
        }
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const c = net.connect(port, '127.0.0.1');
  await new Promise((r) => c.on('connect', r));
  const buf = Buffer.alloc(512 * 1024);
  const t0 = performance.now();
  for (let sent = 0; sent < size; sent += buf.length) {
    if (!c.write(buf)) await new Promise((r) => c.once('drain', r));
  }
  const t1 = await done;
  c.destroy();
  await new Promise((r) => server.close(r));
  return size / MiB / ((t1 - t0) / 1000);
}

const hb = (i: number): Message => ({ ...emptyMessage(MessageType.Heartbeat, 1, 2, 5), commit: i });
const payload = new Uint8Array(1024).fill(7);
const app = (i: number): Message => ({
  ...emptyMessage(MessageType.App, 1, 2, 5),
  index: i,
  logTerm: 5,
  commit: i,
  entries: [{ term: 5, index: i + 1, type: EntryType.Normal, data: payload }],
});

const rows: string[][] = [['case', 'result', 'note']];
for (let run = 0; run < 2; run++) {
  const s = await stream(hb, 500_000);
  rows.push([`heartbeats, 1 stream (run ${run + 1})`, `${Math.round(s.rate).toLocaleString('en')} msg/s`, `${s.dropped} unreachable reports`]);
}
const nb = await stream(hb, 50_000, { maxBatchBytes: 1 });
rows.push(['heartbeats, no coalescing (reference)', `${Math.round(nb.rate).toLocaleString('en')} msg/s`, 'one message per MessageBatch']);
const ap = await stream(app, 200_000);
rows.push(['MsgApp with one 1 KiB entry', `${Math.round(ap.rate).toLocaleString('en')} msg/s`, `${((ap.rate * 1024) / MiB).toFixed(0)} MiB/s of entry data`]);
for (let run = 0; run < 3; run++) {
  const s = await snapshot(64 * MiB);
  rows.push([`64 MiB snapshot (run ${run + 1})`, `${s.mbps.toFixed(0)} MiB/s`, `${s.ms.toFixed(0)} ms send -> delivered`]);
}
rows.push(['64 MiB over a plain TCP socket (reference)', `${(await tcpReference(64 * MiB)).toFixed(0)} MiB/s`, '512 KiB writes']);

const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
