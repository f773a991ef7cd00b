// Free TCP ports on 127.0.0.1, each checked by binding it. All listeners are held open until
// every port is known, so one call never returns the same port twice; another test process may
// still pick the same port before the caller binds it (rare: random picks from ~17 000 ports).
import net from 'node:net';

// Ports come from 15000-32767, below Linux's ephemeral range (32768-60999): outgoing connections
// and every `listen(0)` take ports from that range, so a port chosen there could be taken by
// someone else between this probe and the member's bind (EADDRINUSE flakes on a busy machine).
const LOW = 15000;
const HIGH = 32768;
// scripts/up.sh's fixed ports in that range: a developer may be running it.
const RESERVED = new Set([16443, 16444, 22379, 22380, 22381, 26443, 26444]);

function tryListen(port: number, host: string): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, host, () => resolve(s));
  });
}

export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new Error(`freePorts: count must be 1..64, got ${count}`);
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let attempt = 0; ports.length < count && attempt < 500; attempt++) {
      const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
      if (RESERVED.has(port) || ports.includes(port)) continue;
      const s = await tryListen(port, host);
      if (s === undefined) continue;
      servers.push(s);
      ports.push(port);
    }
    if (ports.length < count) throw new Error(`freePorts: found only ${ports.length} of ${count} free ports in ${LOW}-${HIGH - 1}`);
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
  }
}

/** Resolves true once host:port accepts a TCP connection, false after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect({ port, host });
      const done = (v: boolean): void => {
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(Math.max(50, Math.min(500, deadline - Date.now())), () => done(false));
      sock.once('connect', () => done(true));
      sock.once('error', () => done(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
