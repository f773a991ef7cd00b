// Cluster security's pure parts (issue 5): authorizers (RBAC, node), encryption of secrets at
// rest, the audit log, and the authenticators' token and certificate checks. The API server's
// pipeline stages wrap these; nothing here talks to the network or the store.
export type { Authorizer, AuthorizerDecision, Decision, NonResourceRequest, RequestAttributes, ResourceFields, ResourceRequest, UserInfo } from './authorizer.js';
export { authorizeInOrder, combinedResource, forbiddenMessage, resourceRequest } from './authorizer.js';
export { Groups, Users, bootstrapUsername, nodeNameOf, nodeUsername, parseServiceAccountUsername, serviceAccountGroups, serviceAccountUsername, withAuthenticatedGroup } from './identities.js';

export type { ClusterRole, ClusterRoleBinding, LabelSelector, ObjectMeta, PolicyRule, RbacPolicy, Role, RoleBinding, RoleRef, Subject, SubjectKind } from './rbac/types.js';
export { RBAC_GROUP } from './rbac/types.js';
export { apiGroupMatches, firstAllowingRule, nonResourceURLMatches, resourceMatches, resourceNameMatches, ruleAllows, verbMatches } from './rbac/rule-match.js';
export { aggregateClusterRoles, effectiveClusterRoleRules, selectorMatches } from './rbac/aggregation.js';
export type { AppliedBinding, RbacEvent, ResolvedRole } from './rbac/rbac-index.js';
export { RbacIndex } from './rbac/rbac-index.js';
export { RbacAuthorizer } from './rbac/rbac-authorizer.js';
export type { EscalationCheck } from './rbac/escalation.js';
export { checkBindingEscalation, checkRoleEscalation, rulesFor, uncoveredRules } from './rbac/escalation.js';
export { DEFAULT_CLUSTER_ROLE_NAMES, READ, WRITE, defaultClusterRoleBindings, defaultClusterRoles, defaultRbacPolicy } from './rbac/default-policy.js';

export type { PodLike, PodReferences, ReferencedKind } from './node/pod-references.js';
export { REFERENCED_KINDS, podReferences } from './node/pod-references.js';
export { NodeGraph } from './node/node-graph.js';
export { NODE_LEASE_NAMESPACE, NodeAuthorizer, parseFieldSelector } from './node/node-authorizer.js';
export type { AdmissionResult, NodeLike } from './node/node-restriction.js';
export { admitNodeWrite, nodeMaySetLabel } from './node/node-restriction.js';
export { ClusterAuthorizer } from './cluster-authorizer.js';

export { EncryptionError, EncryptionErrorCode } from './encryption/encryption-error.js';
export type { NamedKey, RandomBytes, ReadResult, StoredForm, ValueTransformer, WriteMode } from './encryption/aes-gcm-transformer.js';
export { AESGCM_PREFIX, AesGcmTransformer, ENCRYPTED_PREFIX, cryptoRandomBytes, storedForm } from './encryption/aes-gcm-transformer.js';
export type { EncryptionConfig, Provider, ResourceEncryption } from './encryption/encryption-config.js';
export { ENCRYPTION_CONFIG_API_VERSION, ENCRYPTION_CONFIG_KIND, parseEncryptionConfig, renderEncryptionConfig, transformerFor, validateEncryptionConfig } from './encryption/encryption-config.js';
export type { StaleValue } from './encryption/keys.js';
export { addKey, generateKey, newEncryptionConfig, staleValues, writeKeyName } from './encryption/keys.js';
export type { EncryptedPrefix } from './encryption/encrypting-storage.js';
export { EncryptingStorage, encryptedPrefixes } from './encryption/encrypting-storage.js';
export type { RewriteReport } from './encryption/rewrite-stale.js';
export { rewriteStale } from './encryption/rewrite-stale.js';

export type { AuthnResult, MaybePromise } from './authn/authn-result.js';
export type { BearerToken } from './authn/bearer-token.js';
export { parseBearerToken } from './authn/bearer-token.js';
export type { BootstrapTokenSpec, BootstrapTokenSummary, SecretLike, SecretLookup } from './authn/bootstrap-token.js';
export {
  BOOTSTRAP_TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  authenticateBootstrapToken,
  bootstrapTokenExpired,
  bootstrapTokenSecret,
  bootstrapTokenSecretName,
  describeBootstrapToken,
  generateBootstrapToken,
  parseBootstrapToken,
} from './authn/bootstrap-token.js';
export type { IssueOptions, ServiceAccountAlgorithm, ServiceAccountLookup, ServiceAccountRef, VerifyOptions } from './authn/service-account-token.js';
export { SERVICE_ACCOUNT_ALGORITHMS, authenticateServiceAccountToken, issueServiceAccountToken, keyId } from './authn/service-account-token.js';
export type { CertificateInput, PeerCertificateLike } from './authn/client-certificate.js';
export { certificateIdentity, parseSubject, verifyClientCertificate } from './authn/client-certificate.js';
export type { RequestCredentials, TokenAuthenticator } from './authn/request-authenticator.js';
export { authenticateRequest } from './authn/request-authenticator.js';

export type { AuditEvent } from './audit/audit-event.js';
export { MAX_FIELD_CHARS, auditEvent, auditLine } from './audit/audit-event.js';
export type { AuditStats, AuditWriterOptions } from './audit/audit-writer.js';
export { AuditClosedError, AuditWriter } from './audit/audit-writer.js';
