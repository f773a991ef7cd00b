// `shoal-control-plane init`: set up a data directory for the cluster's first control-plane
// host (once), then run it; once its API server answers, publish cluster-info, a bootstrap token
// and the sealed control-plane certificates, and print the join lines. A data directory that
// init already set up just starts (no new CA); if publishing never finished, it is done again.
import type { KubeObject } from '../../api/kind.js';
import type { ClientCredentials } from '../../client/index.js';
import { generateBootstrapToken } from '../apiserver/security/index.js';
import type { PkiDeps } from '../pki/index.js';
import { caCertHash, writeSecretFile } from '../pki/index.js';
import { apply, clientFor, ensure, waitForApi } from './api-access.js';
import { certsSecret, generateCertificateKey, sealBundle } from './certificate-bundle.js';
import { certsReaderBinding, certsReaderRole, clusterInfo, initBootstrapToken, joinLines } from './cluster-objects.js';
import type { Features } from './control-plane-flags.js';
import { apiServer, clientUrl, controlPlaneFlags, flagArgs, foundingCluster } from './control-plane-flags.js';
import type { DataDirLayout } from './data-dir-layout.js';
import { dataDirLayout } from './data-dir-layout.js';
import type { ClusterSecrets } from './host-files.js';
import { bundleOf, createClusterSecrets, exists, loadClusterSecrets, writeHostFiles } from './host-files.js';
import type { HostOptions } from './host-options.js';
import { readFlagsFile } from './state-file.js';
import { readFile } from 'node:fs/promises';

export interface BootstrapDeps {
  readonly pki: PkiDeps;
  readonly features: Features;
  /** Where the join lines go (stdout; never the log). */
  readonly print: (text: string) => void;
}

/** What the caller runs: the flags, and work to do around the API server's start. */
export interface HostRun {
  readonly argv: string[];
  /** After the store member serves clients, before the API server starts. */
  readonly beforeApi?: () => Promise<void>;
  /** After the API server listens. */
  readonly afterApi?: () => Promise<void>;
}

/** Credentials of this host's admin identity (from its data directory). */
export async function hostAdminCredentials(d: DataDirLayout, features: Features): Promise<ClientCredentials> {
  if (!features.apiSecurity) return { kind: 'insecure' };
  const p = d.pki.pairs;
  return { kind: 'tls', ca: await readFile(p.ca.cert), cert: await readFile(p.admin.cert), key: await readFile(p.admin.key) };
}

async function publish(o: HostOptions, d: DataDirLayout, secrets: ClusterSecrets, deps: BootstrapDeps): Promise<void> {
  const client = clientFor([apiServer(o)], await hostAdminCredentials(d, deps.features));
  try {
    await waitForApi(client);
    const token = generateBootstrapToken(deps.pki.randomBytes);
    const key = generateCertificateKey(deps.pki.randomBytes);
    const sealed = sealBundle(await bundleOf(secrets, [clientUrl(o, deps.features)]), key, deps.pki.randomBytes);
    const objects: [string, KubeObject, 'apply' | 'ensure'][] = [
      ['secrets', certsSecret(sealed) as unknown as KubeObject, 'apply'],
      ['roles', certsReaderRole(), 'ensure'],
      ['rolebindings', certsReaderBinding(), 'ensure'],
      ['configmaps', clusterInfo(secrets.ca.certPem, [apiServer(o)]), 'apply'],
      ['secrets', initBootstrapToken(token, deps.pki.now()), 'ensure'],
    ];
    for (const [resource, object, how] of objects) await (how === 'apply' ? apply : ensure)(client, resource, object);
    await writeSecretFile(d.publishedMarker, `${deps.pki.now().toISOString()}\n`);
    const lines = joinLines(apiServer(o), token, caCertHash(secrets.ca.certPem), key);
    deps.print(
      [
        '',
        'Your Shoal control plane is up. The admin config is ' + o.adminConfig + '.',
        'Join worker nodes (the token expires in 24 h; `shoalctl token create` makes another):',
        `  ${lines.worker}`,
        'Join control-plane hosts (the certificate key decrypts the cluster CA: keep it secret):',
        `  ${lines.controlPlane}`,
        '',
      ].join('\n'),
    );
  } finally {
    client.close();
  }
}

export async function prepareInit(o: HostOptions, deps: BootstrapDeps): Promise<HostRun> {
  const d = dataDirLayout(o.dataDir);
  let argv: string[];
  if (await exists(d.stateFile)) {
    argv = flagArgs(await readFlagsFile(d.stateFile));
  } else {
    const secrets = (await loadClusterSecrets(d, deps.pki)) ?? (await createClusterSecrets(deps.pki));
    const flags = controlPlaneFlags(o, d, foundingCluster(o), deps.features);
    await writeHostFiles({ options: o, layout: d, secrets, flags, features: deps.features, adminServers: [apiServer(o)] }, deps.pki);
    argv = flagArgs(flags);
  }
  if (await exists(d.publishedMarker)) return { argv };
  return {
    argv,
    afterApi: async () => {
      const secrets = await loadClusterSecrets(d, deps.pki);
      if (secrets === undefined) throw new Error(`${d.pki.pairs.ca.cert} vanished`);
      await publish(o, d, secrets, deps);
    },
  };
}
