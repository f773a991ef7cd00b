// The agent's HTTP port: /healthz (200 "ok" while the agent runs) and Prometheus /metrics.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface AgentHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** metrics: the registry, or a getter when the Agent behind it is replaced (certificate rotation). */
export async function startAgentHttp(host: string, port: number, metricsOf: Registry | (() => Registry)): Promise<AgentHttpServer> {
  const server: Server = createServer((req, res) => {
    const metrics = typeof metricsOf === 'function' ? metricsOf() : metricsOf;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (path === '/metrics') {
      metrics.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
