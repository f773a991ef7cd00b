// `shoal-control-plane join`: make this host a control-plane host of an existing cluster.
// Order matters for "nothing written on bad input": the CA pin, the token and the certificate
// key are all checked before the cluster or the data directory is touched. Then MemberAdd (as a
// learner), the data directory, the member's start with --initial-cluster-state existing, the
// promotion once it caught up, and last its API server. A joined data directory just starts.
import { isForbidden, isNotFound, isUnauthorized } from '../../client/errors.js';
import type { ClientCredentials } from '../../client/index.js';
import type { KubeObject } from '../../api/kind.js';
import { CONTROL_PLANE_IDENTITIES, checkCaCertHash, issueClient } from '../pki/index.js';
import { memberIdOf } from '../store/member-id.js';
import { apply, clientFor, waitForApi } from './api-access.js';
import { BootstrapError } from './bootstrap-error.js';
import { CERTS_SECRET_NAME, CERTS_SECRET_NAMESPACE, certsSecret, openBundle, sealBundle, sealedOf } from './certificate-bundle.js';
import type { CertificateBundle } from './certificate-bundle.js';
import { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE, clusterInfo, clusterInfoServers, withServer } from './cluster-objects.js';
import { apiServer, CLUSTER_TOKEN, clientUrl, controlPlaneFlags, flagArgs, peerUrl } from './control-plane-flags.js';
import type { DataDirLayout } from './data-dir-layout.js';
import { dataDirLayout } from './data-dir-layout.js';
import { fetchClusterInfo, verifiedClusterInfo } from './discovery.js';
import { exists, secretsFromBundle, writeHostFiles } from './host-files.js';
import type { JoinOptions } from './host-options.js';
import type { BootstrapDeps, HostRun } from './init.js';
import { hostAdminCredentials } from './init.js';
import { readFlagsFile } from './state-file.js';
import { readClusterRanges, withClusterRanges } from './cluster-service-ranges.js';
import type { StoreClientTls } from './store-membership.js';
import { clusterMembers, StoreMembership } from './store-membership.js';
import { readFile } from 'node:fs/promises';

/** Reads and opens the sealed certificates with the bootstrap token, verifying the server against the pinned CA. */
async function fetchBundle(o: JoinOptions, caCert: string, servers: readonly string[], deps: BootstrapDeps): Promise<CertificateBundle> {
  const credentials: ClientCredentials = deps.features.apiSecurity ? { kind: 'tls', ca: Buffer.from(caCert), token: o.token } : { kind: 'insecure', token: o.token };
  const client = clientFor([o.server, ...servers.filter((s) => s !== o.server)], credentials);
  let secret: { data?: Record<string, string> };
  try {
    secret = (await client.resource('secrets', CERTS_SECRET_NAMESPACE).get(CERTS_SECRET_NAME)) as { data?: Record<string, string> };
  } catch (e) {
    if (isUnauthorized(e) || isForbidden(e)) throw new BootstrapError('token-refused', `${(e as Error).message} (check --token; \`shoalctl token create\` makes a new one)`, { cause: e });
    if (isNotFound(e)) throw new BootstrapError('certs-missing', `no Secret ${CERTS_SECRET_NAMESPACE}/${CERTS_SECRET_NAME}: run init's certificate upload again`, { cause: e });
    throw new BootstrapError('discovery-failed', (e as Error).message, { cause: e });
  } finally {
    client.close();
  }
  const bundle = openBundle(sealedOf(secret), o.certificateKey);
  try {
    checkCaCertHash(bundle.caCert, o.caCertHash);
  } catch (e) {
    throw new BootstrapError('ca-hash-mismatch', 'the uploaded CA is not the pinned one', { cause: e });
  }
  return bundle;
}

/** After the API server starts: list this host in cluster-info and in the sealed bundle's store URLs. */
async function announce(o: JoinOptions, d: DataDirLayout, bundle: CertificateBundle, deps: BootstrapDeps, log: (msg: string) => void): Promise<void> {
  const client = clientFor([apiServer(o)], await hostAdminCredentials(d, deps.features));
  try {
    await waitForApi(client);
    const cm = await client.resource('configmaps', CLUSTER_INFO_NAMESPACE).get(CLUSTER_INFO_NAME);
    const servers = withServer(clusterInfoServers(cm as { data?: Record<string, string> }), apiServer(o));
    await apply(client, 'configmaps', clusterInfo(bundle.caCert, servers));
    const urls = bundle.storeClientUrls.includes(clientUrl(o, deps.features)) ? bundle.storeClientUrls : [...bundle.storeClientUrls, clientUrl(o, deps.features)];
    await apply(client, 'secrets', certsSecret(sealBundle({ ...bundle, storeClientUrls: urls }, o.certificateKey, deps.pki.randomBytes)) as unknown as KubeObject);
  } catch (e) {
    // Not fatal: the host serves; cluster-info just does not list it yet.
    log(`could not update cluster-info: ${(e as Error).message}`);
  } finally {
    client.close();
  }
}

async function storeTls(d: DataDirLayout): Promise<StoreClientTls> {
  const p = d.pki.pairs;
  return { ca: await readFile(p.ca.cert, 'utf8'), cert: await readFile(p['apiserver-store-client'].cert, 'utf8'), key: await readFile(p['apiserver-store-client'].key, 'utf8') };
}

function promoteHook(o: JoinOptions, endpoints: () => Promise<{ urls: string[]; tls: StoreClientTls | undefined }>): () => Promise<void> {
  return async () => {
    const e = await endpoints();
    const m = new StoreMembership({ endpoints: e.urls, tls: e.tls });
    try {
      await m.promote(memberIdOf([peerUrl(o)], CLUSTER_TOKEN));
    } finally {
      m.close();
    }
  };
}

export async function prepareJoin(given: JoinOptions, deps: BootstrapDeps, log: (msg: string) => void): Promise<HostRun> {
  let o = given;
  const d = dataDirLayout(o.dataDir);
  const f = deps.features;
  if (await exists(d.stateFile)) {
    const flags = await readFlagsFile(d.stateFile);
    const urls = String(flags['api-store-endpoints'] ?? clientUrl(o, f)).split(',');
    // An earlier run may have died before the promotion; promoting a voter is a no-op.
    return { argv: flagArgs(flags), beforeApi: promoteHook(o, async () => ({ urls, tls: f.apiSecurity ? await storeTls(d) : undefined })) };
  }
  const info = verifiedClusterInfo(await fetchClusterInfo(o.server, f.apiSecurity), o.caCertHash);
  const bundle = await fetchBundle(o, info.caCert, info.servers, deps);
  const secrets = await secretsFromBundle(bundle);
  // MemberAdd with a client certificate made here from the CA (nothing is on disk yet).
  const id = CONTROL_PLANE_IDENTITIES['apiserver-store-client'];
  const client = await issueClient(secrets.ca, id.user, id.groups, {}, deps.pki);
  const tls: StoreClientTls | undefined = f.apiSecurity ? { ca: bundle.caCert, cert: client.certPem, key: await client.key!.toPem() } : undefined;
  o = withClusterRanges(o, await readClusterRanges(bundle.storeClientUrls, tls));
  const membership = new StoreMembership({ endpoints: bundle.storeClientUrls, tls });
  let added;
  try {
    added = await membership.addLearner(peerUrl(o));
  } finally {
    membership.close();
  }
  const members = clusterMembers(added.members, { id: added.member.ID, name: o.name }).map((m, i) => (m.name === '' ? { ...m, name: `unstarted-${i}` } : m));
  const others = [...new Set([...added.members.flatMap((m) => m.clientURLs), ...bundle.storeClientUrls])];
  const flags = controlPlaneFlags(o, d, { state: 'existing', members, otherClientUrls: others }, f);
  await writeHostFiles({ options: o, layout: d, secrets, flags, features: f, adminServers: [apiServer(o), ...info.servers.filter((s) => s !== apiServer(o))] }, deps.pki);
  return {
    argv: flagArgs(flags),
    beforeApi: promoteHook(o, async () => ({ urls: others, tls: f.apiSecurity ? await storeTls(d) : undefined })),
    afterApi: () => announce(o, d, bundle, deps, log),
  };
}
