// Writing a control-plane host's data directory: the cluster secrets (new on init, from the
// sealed bundle on join), this host's certificates (issued here from the CA), the client
// configs, and last the state file — whose presence means "set up": a crash before it leaves a
// directory that init/join set up again from the start.
import { generateKeyPairSync } from 'node:crypto';
import { access, mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { saveConfig } from '../../client/config.js';
import { newEncryptionConfig, renderEncryptionConfig } from '../apiserver/security/index.js';
import type { CertificateAuthority, PkiDeps } from '../pki/index.js';
import { createCa, issueControlPlaneCertificates, loadCa, writeControlPlanePki, writePublicFile, writeSecretFile } from '../pki/index.js';
import type { CertificateBundle } from './certificate-bundle.js';
import { clientConfig } from './client-configs.js';
import type { Features, FlagSet } from './control-plane-flags.js';
import { apiServer } from './control-plane-flags.js';
import type { DataDirLayout } from './data-dir-layout.js';
import { hostSans } from './host-sans.js';
import type { HostOptions } from './host-options.js';
import { writeStateFile } from './state-file.js';

/** What every control-plane host shares. */
export interface ClusterSecrets {
  readonly ca: CertificateAuthority;
  readonly serviceAccountKey: string;
  readonly serviceAccountPublicKey: string;
  readonly encryptionConfig: string;
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function serviceAccountKeyPair(): { serviceAccountKey: string; serviceAccountPublicKey: string } {
  const sa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    serviceAccountKey: sa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    serviceAccountPublicKey: sa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const newEncryptionConfigText = (deps: PkiDeps): string => renderEncryptionConfig(newEncryptionConfig('key1', deps.randomBytes));

export async function createClusterSecrets(deps: PkiDeps): Promise<ClusterSecrets> {
  return { ca: await createCa({}, deps), ...serviceAccountKeyPair(), encryptionConfig: newEncryptionConfigText(deps) };
}

/**
 * The secrets a data directory already holds (a re-run of init keeps its CA); undefined when it
 * has no CA. A piece missing beside the CA (a crash mid-init) is made anew.
 */
export async function loadClusterSecrets(d: DataDirLayout, deps: PkiDeps): Promise<ClusterSecrets | undefined> {
  if (!(await exists(d.pki.pairs.ca.cert))) return undefined;
  const read = async (p: string): Promise<string | undefined> => ((await exists(p)) ? readFile(p, 'utf8') : undefined);
  const ca = await loadCa((await read(d.pki.pairs.ca.cert))!, (await read(d.pki.pairs.ca.key)) ?? '');
  const saKey = await read(d.serviceAccountKey);
  const saPub = await read(d.serviceAccountPublicKey);
  const sa = saKey !== undefined && saPub !== undefined ? { serviceAccountKey: saKey, serviceAccountPublicKey: saPub } : serviceAccountKeyPair();
  return { ca, ...sa, encryptionConfig: (await read(d.encryptionConfig)) ?? newEncryptionConfigText(deps) };
}

export async function secretsFromBundle(b: CertificateBundle): Promise<ClusterSecrets> {
  return { ca: await loadCa(b.caCert, b.caKey), serviceAccountKey: b.serviceAccountKey, serviceAccountPublicKey: b.serviceAccountPublicKey, encryptionConfig: b.encryptionConfig };
}

export async function bundleOf(s: ClusterSecrets, storeClientUrls: readonly string[]): Promise<CertificateBundle> {
  return {
    caCert: s.ca.certPem,
    caKey: await s.ca.key.toPem(),
    serviceAccountKey: s.serviceAccountKey,
    serviceAccountPublicKey: s.serviceAccountPublicKey,
    encryptionConfig: s.encryptionConfig,
    storeClientUrls: [...storeClientUrls],
  };
}

export interface HostFiles {
  readonly options: HostOptions;
  readonly layout: DataDirLayout;
  readonly secrets: ClusterSecrets;
  readonly flags: FlagSet;
  readonly features: Features;
  /** The API servers the admin config lists (this host's first). */
  readonly adminServers: readonly string[];
}

/** Writes everything; the state file last. Keys 0600. */
export async function writeHostFiles(h: HostFiles, deps: PkiDeps): Promise<void> {
  const { layout: d, secrets: s, options: o } = h;
  const certs = await issueControlPlaneCertificates(s.ca, hostSans(o), {}, deps);
  await writeControlPlanePki(d.pki, s.ca, certs);
  await writeSecretFile(d.serviceAccountKey, s.serviceAccountKey);
  await writePublicFile(d.serviceAccountPublicKey, s.serviceAccountPublicKey);
  await writeSecretFile(d.encryptionConfig, s.encryptionConfig);
  await mkdir(dirname(d.auditLog), { recursive: true, mode: 0o700 });
  const secure = h.features.apiSecurity;
  const ca = resolve(d.pki.pairs.ca.cert);
  const abs = (p: { cert: string; key: string }): { cert: string; key: string } => ({ cert: resolve(p.cert), key: resolve(p.key) });
  const local = [apiServer(o)];
  await saveConfig(clientConfig(local, ca, abs(d.pki.pairs.scheduler), secure), { path: d.schedulerConfig });
  await saveConfig(clientConfig(local, ca, abs(d.pki.pairs['controller-manager']), secure), { path: d.controllerManagerConfig });
  await saveConfig(clientConfig(h.adminServers, ca, abs(d.pki.pairs.admin), secure), { path: o.adminConfig });
  await writeStateFile(d.stateFile, h.flags);
}
