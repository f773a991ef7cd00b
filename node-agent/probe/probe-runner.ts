// Runs one probe once: exec in the container (exit 0 = success), HTTP GET to the container's
// address (2xx/3xx = success) or a TCP connect. Every attempt ends by timeoutSeconds.
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, Probe } from '../../api/index.js';
import type { ContainerRuntime } from '../runtime/index.js';

export interface ProbeOutcome {
  readonly ok: boolean;
  readonly message: string;
}

export interface ProbeTarget {
  readonly containerId: string;
  /** The container's address (pod IP). */
  readonly ip: string;
  readonly container: Container;
}

/** A named port resolves through the container's ports. */
export function resolvePort(port: number | string, c: Container): number | undefined {
  if (typeof port === 'number') return port;
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

function httpGet(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const req = (url.protocol === 'https:' ? httpsRequest : request)(url, { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true, message: '' } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ ok: false, message: `Get "${url.href}": ${e.message}` }));
    req.end();
  });
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => s.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    s.on('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ ok: true, message: '' });
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `dial tcp ${host}:${port}: ${e.message}` });
    });
  });
}

export async function runProbe(runtime: ContainerRuntime, probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = probe.timeoutSeconds * 1000;
  if (probe.exec) {
    try {
      const r = await runtime.exec(target.containerId, probe.exec.command, timeoutMs);
      return r.exitCode === 0 ? { ok: true, message: '' } : { ok: false, message: `command ${JSON.stringify(probe.exec.command)} exited with ${r.exitCode}: ${r.output.trim().slice(0, 200)}` };
    } catch (e) {
      return { ok: false, message: (e as Error).message };
    }
  }
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, target.container);
    if (port === undefined) return { ok: false, message: `no port named ${String(probe.httpGet.port)}` };
    const host = probe.httpGet.host ?? target.ip;
    const path = probe.httpGet.path ?? '/';
    const url = new URL(`${probe.httpGet.scheme.toLowerCase()}://${host.includes(':') ? `[${host}]` : host}:${port}${path.startsWith('/') ? path : `/${path}`}`);
    const headers: Record<string, string> = { 'user-agent': 'shoal-probe/1' };
    for (const h of probe.httpGet.httpHeaders ?? []) headers[h.name] = h.value;
    return httpGet(url, headers, timeoutMs);
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, target.container);
    if (port === undefined) return { ok: false, message: `no port named ${String(probe.tcpSocket.port)}` };
    return tcpConnect(probe.tcpSocket.host ?? target.ip, port, timeoutMs);
  }
  return { ok: false, message: 'probe has no handler' };
}
