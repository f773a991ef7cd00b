// The API server: authn → authz → admission → validation → storage, the watch fan-out, the
// Cluster service, health and metrics. Started by shoal-control-plane next to a store member.
export { ApiServer, DEFAULT_MAX_REQUEST_BYTES, splitHostPort } from './server.js';
export type { ApiServerDeps, ApiServerOptions, BoundPorts, ListenAddresses } from './server.js';
export { ApiError, Code } from './errors.js';
export type { Cause } from './errors.js';
export { systemClock, cryptoRandom } from './clock.js';
export type { Clock, RandomSource } from './clock.js';
export { kindLookup } from './kinds.js';
export type { KindLookup } from './kinds.js';
export { EtcdStoreStatus } from './store-status.js';
export type { StoreMemberStatus, StoreStatus } from './store-status.js';
export { anonymousAdmin, ANONYMOUS_ADMIN } from './pipeline/authentication.js';
export type { AuthenticationInput, Authenticator } from './pipeline/authentication.js';
export { alwaysAllow } from './pipeline/authorization.js';
export type { Authorizer, Decision } from './pipeline/authorization.js';
export type { AdmissionChain, AdmissionRequest, MutatingAdmissionPlugin, Operation, ValidatingAdmissionPlugin } from './pipeline/admission.js';
export { SYSTEM_NAMESPACES } from './admission/namespace-lifecycle.js';
export type { RequestAttributes, UserInfo, Verb } from './request.js';
export { readVersionInfo } from './version.js';
export type { VersionInfo } from './version.js';
export type { AuditRecord, AuditSink } from './api-service.js';
export { identityTransformer } from './registry/value-transformer.js';
export type { ValueTransformer } from './registry/value-transformer.js';
export { caCsrSigner, CsrSignerError, decideAutoApproval, loadCsrSigner } from './certificates/index.js';
export type { CsrSigner } from './certificates/index.js';
