// A throwaway cluster PKI for tests: a CA and certificates written into a temp dir (removed in
// t.teardown), using the real control-plane/pki code and the real clock.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertificateAuthority, IssuedCertificate, PairPaths, PkiDeps, ValidityOptions } from '../../control-plane/pki/index.js';
import { caCertHash, createCa, issueClient, issueServing, writeIssued } from '../../control-plane/pki/index.js';

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

export const realPkiDeps: PkiDeps = { now: () => new Date(), randomBytes: (n) => randomBytes(n) };

export interface TestPki {
  readonly dir: string;
  readonly ca: CertificateAuthority;
  readonly caPaths: PairPaths;
  readonly caHash: string;
  /** A serving certificate (plus localhost/127.0.0.1); usage 'peer' also allows dialing with it. */
  serving(file: string, o?: { dnsNames?: string[]; ipAddresses?: string[]; usage?: 'server' | 'peer' }): Promise<PairPaths>;
  /** A client certificate (CN = user, O = groups); `deps`/`validity` shape its window (e.g. expired). */
  client(file: string, user: string, groups?: string[], o?: { deps?: PkiDeps; validity?: ValidityOptions }): Promise<PairPaths>;
}

async function write(dir: string, file: string, issued: IssuedCertificate | CertificateAuthority): Promise<PairPaths> {
  const paths = { cert: join(dir, `${file}.crt`), key: join(dir, `${file}.key`) };
  await writeIssued(paths, issued);
  return paths;
}

/** A new CA in its own temp dir; `name` keeps two test CAs apart (e.g. "other" for a wrong CA). */
export async function createTestPki(t: Teardown, name = 'test'): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), `shoal-pki-${name}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await createCa({ commonName: `shoal-${name}-ca` }, realPkiDeps);
  const caPaths = await write(dir, 'ca', ca);
  return {
    dir,
    ca,
    caPaths,
    caHash: caCertHash(ca.certPem),
    serving: async (file, o = {}) =>
      write(dir, file, await issueServing(ca, { commonName: file, dnsNames: o.dnsNames ?? [], ipAddresses: o.ipAddresses ?? [], usage: o.usage ?? 'server' }, {}, realPkiDeps)),
    client: async (file, user, groups = [], o = {}) => write(dir, file, await issueClient(ca, user, groups, o.validity ?? {}, o.deps ?? realPkiDeps)),
  };
}
