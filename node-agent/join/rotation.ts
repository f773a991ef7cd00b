// Node certificate rotation, as the kubelet does it: once a jittered 70–90% of the certificate's
// lifetime has passed, ask for a new one with a CSR authenticated by the current certificate
// (C4's renewal rule), write it atomically, and hand it to the caller to re-make connections.
// rotationDeadline is pure; CertificateRotator is the loop, with clock and RNG injected.
import { X509Certificate } from 'node:crypto';
import { ShoalClient } from '../../client/index.js';
import type { Clock, Rng } from '../../client/index.js';
import type { Logger } from '../logger.js';
import { joinRetryPolicy } from './cluster-info.js';
import { loadNodeCredentials, writeNodeCredentials } from './node-files.js';
import type { NodeCredentials, NodePaths } from './node-files.js';
import { requestNodeCertificate } from './request-certificate.js';

/** The window in which a renewal starts, as fractions of the lifetime (notBefore → notAfter). */
export const ROTATION_WINDOW = { from: 0.7, to: 0.9 } as const;
/** After a failed renewal: wait this long, at most (a tenth of the time left, at least 1 s). */
const RETRY_MAX_MS = 5 * 60_000;

/** When to renew a certificate valid from notBefore to notAfter (ms since epoch). Pure. */
export function rotationDeadline(notBefore: number, notAfter: number, rng: Rng): number {
  const life = notAfter - notBefore;
  return notBefore + life * (ROTATION_WINDOW.from + (ROTATION_WINDOW.to - ROTATION_WINDOW.from) * rng());
}

export function certificateWindow(certPem: string): { notBefore: number; notAfter: number } {
  const c = new X509Certificate(certPem);
  return { notBefore: Date.parse(c.validFrom), notAfter: Date.parse(c.validTo) };
}

/** Delay before retrying a failed renewal: a tenth of the time left, between 1 s and 5 min. Pure. */
export function retryDelay(now: number, notAfter: number): number {
  return Math.min(RETRY_MAX_MS, Math.max(1_000, (notAfter - now) / 10));
}

export interface RotatorOptions {
  readonly paths: NodePaths;
  readonly servers: readonly string[];
  readonly nodeName: string;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly log: Logger;
  /** Called with the new credentials once they are on disk (re-make connections here). */
  readonly onRotated: (c: NodeCredentials) => Promise<void> | void;
  readonly csrTimeoutMs?: number;
}

/** Renews the node certificate once, authenticated by the current one; writes the new files. */
export async function renewNodeCertificate(current: NodeCredentials, o: Pick<RotatorOptions, 'paths' | 'servers' | 'nodeName' | 'clock' | 'csrTimeoutMs'>): Promise<NodeCredentials> {
  const client = new ShoalClient({
    servers: o.servers,
    credentials: { kind: 'tls', ca: Buffer.from(current.caPem), cert: Buffer.from(current.certPem), key: Buffer.from(current.keyPem) },
    retry: joinRetryPolicy,
    callTimeoutMs: 15_000,
    clock: o.clock,
  });
  try {
    const issued = await requestNodeCertificate(client, { nodeName: o.nodeName, caPem: current.caPem, credentialName: 'the node certificate', ...(o.csrTimeoutMs === undefined ? {} : { timeoutMs: o.csrTimeoutMs }) });
    const next: NodeCredentials = { caPem: current.caPem, certPem: issued.certPem, keyPem: await issued.key.toPem() };
    await writeNodeCredentials(o.paths, next);
    return next;
  } finally {
    client.close();
  }
}

export class CertificateRotator {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  /** Renewals done by this rotator. */
  rotations = 0;

  constructor(private readonly o: RotatorOptions) {}

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { clock, log } = this.o;
    const signal = this.stopping.signal;
    let current = await loadNodeCredentials(this.o.paths);
    while (!signal.aborted) {
      const { notBefore, notAfter } = certificateWindow(current.certPem);
      const deadline = rotationDeadline(notBefore, notAfter, this.o.rng);
      log.info({ notAfter: new Date(notAfter).toISOString(), renewAt: new Date(deadline).toISOString() }, 'node certificate renewal scheduled');
      await clock.sleep(Math.max(0, deadline - clock.now()), signal);
      // Renew until it works or we are stopped; each failure waits (bounded) before the next try.
      while (!signal.aborted) {
        try {
          current = await renewNodeCertificate(current, this.o);
          this.rotations++;
          log.info({ notAfter: new Date(certificateWindow(current.certPem).notAfter).toISOString() }, 'node certificate renewed');
          await this.o.onRotated(current);
          break;
        } catch (e) {
          const wait = retryDelay(clock.now(), notAfter);
          // An expired certificate cannot authenticate its own renewal: only a new join helps.
          const expired = clock.now() >= notAfter;
          log[expired ? 'error' : 'warn'](
            { err: (e as Error).message, retryInMs: Math.round(wait), notAfter: new Date(notAfter).toISOString() },
            expired ? 'the node certificate has expired and cannot renew itself: run "shoal-agent join" again with a fresh token' : 'node certificate renewal failed',
          );
          await clock.sleep(wait, signal);
        }
      }
    }
  }
}
