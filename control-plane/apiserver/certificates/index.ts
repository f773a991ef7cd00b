// CertificateSigningRequests (contract C4): which requests the API server approves itself, the
// cluster signing CA, and the admission plugin that fills in the requester and signs.
export type { AutoApproval, CsrView, Requester } from './csr-decision.js';
export { CLIENT_USAGES, decideAutoApproval, signingPolicy, usagesProblem } from './csr-decision.js';
export type { CsrSigner } from './csr-signer.js';
export { caCsrSigner, CsrSignerError, loadCsrSigner } from './csr-signer.js';
export type { CsrAdmissionDeps } from './csr-admission.js';
export { CertificateSigningRequests } from './csr-admission.js';
