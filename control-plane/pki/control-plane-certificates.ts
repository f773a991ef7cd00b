// The certificates one control-plane host needs, issued from the cluster CA and written into
// the layout of pki-layout.ts (what `shoal-control-plane init`/`join` will call). Identities
// follow Kubernetes' names so RBAC's default bindings read the same.
import type { CertificateAuthority } from './certificate-authority.js';
import type { IssuedCertificate } from './leaf-certificate.js';
import { issueClient, issueServing } from './leaf-certificate.js';
import type { PkiLayout, PkiPair } from './pki-layout.js';
import { writeIssued } from './pki-layout.js';
import type { PkiDeps, ValidityOptions } from './validity.js';

export const CONTROL_PLANE_IDENTITIES = {
  admin: { user: 'shoal-admin', groups: ['system:masters'] },
  'apiserver-store-client': { user: 'shoal-apiserver-store-client', groups: [] },
  scheduler: { user: 'system:kube-scheduler', groups: [] },
  'controller-manager': { user: 'system:kube-controller-manager', groups: [] },
} as const;

/** In-cluster names of the API server (a Service "kubernetes" in "default", as Kubernetes has). */
export const APISERVER_SERVICE_NAMES = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'] as const;

export interface ControlPlaneHost {
  /** The host's name (the store member name). */
  name: string;
  /** Every DNS name the host is reached by. */
  dnsNames: readonly string[];
  /** Every address the host is reached at (localhost and 127.0.0.1 are always added). */
  ipAddresses: readonly string[];
}

/** Issues every leaf of the layout except the CA; keys are new. */
export async function issueControlPlaneCertificates(
  ca: CertificateAuthority,
  host: ControlPlaneHost,
  o: ValidityOptions,
  deps: PkiDeps,
): Promise<Record<Exclude<PkiPair, 'ca'>, IssuedCertificate>> {
  const names = [host.name, ...host.dnsNames];
  const ips = host.ipAddresses;
  const client = (k: keyof typeof CONTROL_PLANE_IDENTITIES): Promise<IssuedCertificate> =>
    issueClient(ca, CONTROL_PLANE_IDENTITIES[k].user, CONTROL_PLANE_IDENTITIES[k].groups, o, deps);
  return {
    apiserver: await issueServing(ca, { commonName: 'shoal-apiserver', dnsNames: [...names, ...APISERVER_SERVICE_NAMES], ipAddresses: ips }, o, deps),
    // The store's client-port certificate also dials the leader's client port: both usages.
    'store-server': await issueServing(ca, { commonName: host.name, dnsNames: names, ipAddresses: ips, usage: 'peer' }, o, deps),
    'store-peer': await issueServing(ca, { commonName: host.name, dnsNames: names, ipAddresses: ips, usage: 'peer' }, o, deps),
    'apiserver-store-client': await client('apiserver-store-client'),
    admin: await client('admin'),
    scheduler: await client('scheduler'),
    'controller-manager': await client('controller-manager'),
  };
}

/** Writes the CA and a host's certificates into the layout (keys 0600, certificates 0644). */
export async function writeControlPlanePki(layout: PkiLayout, ca: CertificateAuthority, certs: Record<Exclude<PkiPair, 'ca'>, IssuedCertificate>): Promise<void> {
  await writeIssued(layout.pairs.ca, ca);
  for (const [pair, issued] of Object.entries(certs) as [Exclude<PkiPair, 'ca'>, IssuedCertificate][]) await writeIssued(layout.pairs[pair], issued);
}
