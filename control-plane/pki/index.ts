// The cluster PKI: CA, serving/peer/client certificates, CSR signing with a policy, renewal,
// the CA pin kubeadm prints, expiry inspection, bootstrap tokens, and key files written safely.
// Pure computation with the clock and randomness injected (PkiDeps); file I/O only in key-files
// and pki-layout.
export { KEY_ALGORITHM, SIGNING_ALGORITHM } from './algorithm.js';
export { PkiError, PKI_ERRORS } from './pki-error.js';
export type { PkiErrorCode } from './pki-error.js';
export { PrivateKey } from './private-key.js';
export { DEFAULT_BACKDATE_MS, DEFAULT_CA_VALIDITY_MS, DEFAULT_LEAF_VALIDITY_MS } from './validity.js';
export type { PkiDeps, ValidityOptions } from './validity.js';
export { createCa, loadCa, parseCertificate } from './certificate-authority.js';
export type { CertificateAuthority, CreateCaOptions } from './certificate-authority.js';
export { issueClient, issueLeaf, issueServing, USAGE_PROFILES } from './leaf-certificate.js';
export type { IssuedCertificate, LeafRequest, ServingRequest, Subject, UsageProfile } from './leaf-certificate.js';
export { createCsr, nodeCsrPolicy, NODE_USER_PREFIX, NODES_GROUP, readCsr, readSubject, signCsr } from './certificate-request.js';
export type { CsrPolicy, PolicyDecision, ReadCsrOutcome, RequestedSubject, SignOutcome } from './certificate-request.js';
export { renewCertificate } from './renew.js';
export type { RenewOptions } from './renew.js';
export { caCertHash, checkCaCertHash } from './ca-hash.js';
export { inspectCertificate } from './expiry.js';
export type { CertificateExpiry } from './expiry.js';
export { BOOTSTRAP_TOKEN_PATTERN, formatBootstrapToken, generateBootstrapToken, parseBootstrapToken } from './bootstrap-token.js';
export type { BootstrapToken } from './bootstrap-token.js';
export { ensurePkiDir, PUBLIC_FILE_MODE, SECRET_FILE_MODE, writeFileAtomic, writePublicFile, writeSecretFile } from './key-files.js';
export { PKI_PAIRS, pkiLayout, writeIssued, writePair } from './pki-layout.js';
export type { PairPaths, PkiLayout, PkiPair } from './pki-layout.js';
export { APISERVER_SERVICE_NAMES, CONTROL_PLANE_IDENTITIES, issueControlPlaneCertificates, writeControlPlanePki } from './control-plane-certificates.js';
export type { ControlPlaneHost } from './control-plane-certificates.js';
