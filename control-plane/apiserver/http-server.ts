// The API server's HTTP port: /livez (the process runs), /readyz (the store answers and the
// watch caches have synced; 503 with the reason otherwise) and /metrics (Prometheus).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface Readiness {
  /** Empty when ready, else the reasons it is not. */
  check(): Promise<readonly string[]>;
}

export function createHttpServer(metrics: Registry, readiness: Readiness): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (code: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(code, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    switch (path) {
      case '/livez':
      case '/healthz':
        return reply(200, 'ok\n');
      case '/readyz':
        readiness.check().then(
          (reasons) => (reasons.length === 0 ? reply(200, 'ok\n') : reply(503, reasons.map((r) => `[-] ${r}\n`).join('') + 'readyz check failed\n')),
          (e: unknown) => reply(503, `[-] ${(e as Error).message}\nreadyz check failed\n`),
        );
        return;
      case '/metrics':
        metrics.metrics().then(
          (text) => reply(200, text, metrics.contentType),
          (e: unknown) => reply(500, `${(e as Error).message}\n`),
        );
        return;
      default:
        return reply(404, 'not found: try /livez, /readyz or /metrics\n');
    }
  });
}

export type { Server };
