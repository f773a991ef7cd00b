// Sends a node CSR and gets its certificate: from the create answer when the API server signs
// at once (C4), else from a watch on that one CSR, bounded by timeoutMs. Then checks that the
// certificate is what was asked for: our key, our subject, signed by the cluster CA.
import { X509Certificate } from 'node:crypto';
import { isForbidden, isUnauthorized, isUnavailable } from '../../client/index.js';
import type { ShoalClient } from '../../client/index.js';
import { createCsr } from '../../control-plane/pki/index.js';
import type { PrivateKey } from '../../control-plane/pki/index.js';
import { JoinError, JoinErrorCode } from './join-error.js';
import { CSR_RESOURCE, csrOutcome, nodeCsrObject, nodeSubject } from './node-csr.js';
import type { CertificateSigningRequest, CsrOutcome } from './node-csr.js';

export const DEFAULT_CSR_TIMEOUT_MS = 60_000;

export interface IssuedNodeCertificate {
  readonly certPem: string;
  readonly key: PrivateKey;
  readonly csrName: string;
}

export interface RequestOptions {
  readonly nodeName: string;
  readonly caPem: string;
  /** How long to wait for a CSR the server did not sign at once. */
  readonly timeoutMs?: number;
  /** "the bootstrap token" / "the node certificate": named in errors. */
  readonly credentialName: string;
}

export async function requestNodeCertificate(client: ShoalClient, o: RequestOptions): Promise<IssuedNodeCertificate> {
  const { csrPem, key } = await createCsr(nodeSubject(o.nodeName));
  const csrs = client.resource<CertificateSigningRequest>(CSR_RESOURCE, '');
  let created: CertificateSigningRequest;
  try {
    created = await csrs.create(nodeCsrObject(csrPem));
  } catch (e) {
    throw apiFailure(e, o.credentialName, client.connection.servers);
  }
  const name = created.metadata.name ?? '';
  let outcome = csrOutcome(created);
  if (outcome.kind === 'pending') outcome = await waitForCsr(client, created, o.timeoutMs ?? DEFAULT_CSR_TIMEOUT_MS);
  switch (outcome.kind) {
    case 'refused':
      throw new JoinError(JoinErrorCode.CsrDenied, `certificate signing request ${name} was refused: ${outcome.reason}`);
    case 'pending':
      throw new JoinError(JoinErrorCode.CsrTimeout, `certificate signing request ${name} was not signed within ${Math.round((o.timeoutMs ?? DEFAULT_CSR_TIMEOUT_MS) / 1000)} s (approve it with shoalctl, or check the API server's signer)`);
    case 'issued':
      await checkIssued(outcome.certPem, key, o.nodeName, o.caPem);
      return { certPem: outcome.certPem, key, csrName: name };
  }
}

async function waitForCsr(client: ShoalClient, created: CertificateSigningRequest, timeoutMs: number): Promise<CsrOutcome> {
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), client.connection.closedSignal]);
  const watch = client.resource<CertificateSigningRequest>(CSR_RESOURCE, '').watch({
    fieldSelector: `metadata.name=${created.metadata.name ?? ''}`,
    resourceVersion: created.metadata.resourceVersion ?? '',
    signal,
  });
  try {
    for await (const ev of watch) {
      if (ev.type === 'BOOKMARK') continue;
      if (ev.type === 'DELETED') return { kind: 'refused', reason: 'the request was deleted before it was signed' };
      const outcome = csrOutcome(ev.object);
      if (outcome.kind !== 'pending') return outcome;
    }
  } catch (e) {
    if (!signal.aborted) throw apiFailure(e, 'the credentials', client.connection.servers);
  } finally {
    watch.close();
  }
  return { kind: 'pending' };
}

/** The certificate must carry our public key and subject and chain to the cluster CA. */
async function checkIssued(certPem: string, key: PrivateKey, nodeName: string, caPem: string): Promise<void> {
  const bad = (detail: string): never => {
    throw new JoinError(JoinErrorCode.BadCertificate, `the signed node certificate is not usable: ${detail}`);
  };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (e) {
    return bad(`it does not parse (${(e as Error).message})`);
  }
  const ca = new X509Certificate(caPem);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) bad('it is not signed by the cluster CA');
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  if (!spki.equals(await key.spki())) bad('it is for another key');
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
  if (cn !== nodeSubject(nodeName).commonName) bad(`its subject is CN=${cn ?? ''}, want ${nodeSubject(nodeName).commonName}`);
}

/** An API error as a JoinError a user can act on. */
export function apiFailure(e: unknown, credentialName: string, servers: readonly string[]): JoinError {
  const msg = (e as Error).message;
  if (isUnauthorized(e)) return new JoinError(JoinErrorCode.Unauthorized, `the API server refused ${credentialName} (UNAUTHENTICATED): ${msg}. Is the token right and unexpired? Create a new one with "shoalctl token create".`, { cause: e });
  if (isForbidden(e)) return new JoinError(JoinErrorCode.Forbidden, `${credentialName} may not create certificate signing requests (PERMISSION_DENIED): ${msg}`, { cause: e });
  if (isUnavailable(e)) return new JoinError(JoinErrorCode.Unreachable, `no API server answered (${servers.join(', ')}): ${msg}`, { cause: e });
  if (e instanceof JoinError) return e;
  return new JoinError(JoinErrorCode.CsrDenied, `creating the certificate signing request failed: ${msg}`, { cause: e });
}
