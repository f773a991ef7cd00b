// Where a control-plane host keeps its PKI: <data-dir>/pki/<name>.crt (0644) and <name>.key
// (0600), in a 0700 directory — kubeadm's layout with the store in place of etcd.
import { dirname, join } from 'node:path';
import type { CertificateAuthority } from './certificate-authority.js';
import type { IssuedCertificate } from './leaf-certificate.js';
import { ensurePkiDir, writePublicFile, writeSecretFile } from './key-files.js';
import type { PrivateKey } from './private-key.js';

export const PKI_PAIRS = [
  'ca', // the cluster CA
  'apiserver', // the API server's serving certificate
  'apiserver-store-client', // the API server's client certificate for the store
  'store-server', // the store's client-port serving certificate (also dials the leader)
  'store-peer', // the store's peer certificate (serves and dials Raft peers)
  'admin', // shoalctl's cluster-admin identity
  'scheduler',
  'controller-manager',
] as const;
export type PkiPair = (typeof PKI_PAIRS)[number];

export interface PairPaths {
  cert: string;
  key: string;
}

export interface PkiLayout {
  dir: string;
  pairs: Record<PkiPair, PairPaths>;
}

export function pkiLayout(dataDir: string): PkiLayout {
  const dir = join(dataDir, 'pki');
  const pairs = Object.fromEntries(PKI_PAIRS.map((p) => [p, { cert: join(dir, `${p}.crt`), key: join(dir, `${p}.key`) }])) as Record<PkiPair, PairPaths>;
  return { dir, pairs };
}

/** Writes a certificate (0644) and, when given, its key (0600, written first). */
export async function writePair(paths: PairPaths, certPem: string, key: PrivateKey | undefined): Promise<void> {
  await ensurePkiDir(dirname(paths.key));
  if (key !== undefined) await writeSecretFile(paths.key, await key.toPem());
  await writePublicFile(paths.cert, certPem);
}

export function writeIssued(paths: PairPaths, issued: IssuedCertificate | CertificateAuthority): Promise<void> {
  return writePair(paths, issued.certPem, issued.key);
}
