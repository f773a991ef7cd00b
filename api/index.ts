// Shoal's object kinds: schemas, types, validation, defaulting, selectors, table columns.
export type { FieldError, FieldErrorType, KindDefinition, KubeObject, ObjectMeta, OwnerReference, TableColumn, Validation } from './kind.js';
export { defineKind, kindSchema, withoutNulls } from './define-kind.js';
export type { KindSpec, ShoalKind } from './define-kind.js';
export { KINDS, KindRegistry, registry, kindFor } from './registry.js';
export { formatFieldError, formatFieldErrors } from './format-field-errors.js';
export { formatPath } from './field-path.js';

export { parseQuantity, mustParseQuantity, toMillis, toUnits, compareQuantities, QuantityError, QUANTITY_FORMAT_ERROR } from './schemas/quantity.js';
export type { Quantity } from './schemas/quantity.js';
export { defaultPullPolicy } from './schemas/container.js';
export type { Container } from './schemas/container.js';
export type { PodSpec, RestartPolicy } from './schemas/pod-spec.js';
export { RESTART_POLICIES, DEFAULT_SCHEDULER_NAME } from './schemas/pod-spec.js';
export type { PodStatus, ContainerStatus, PodPhase } from './schemas/pod-status.js';
export { POD_PHASES } from './schemas/pod-status.js';
export type { PodTemplateSpec } from './schemas/pod-template.js';
export type { LabelSelectorObject } from './schemas/label-selector.js';
export type { Condition } from './schemas/conditions.js';
export type { Affinity } from './schemas/affinity.js';
export type { Toleration, Taint } from './schemas/toleration.js';
export type { Volume } from './schemas/volume.js';
export type { Probe } from './schemas/probe.js';
export type { ResourceRequirements } from './schemas/resources.js';
export { scaledValue } from './schemas/workload.js';
export { parseCron } from './schemas/cron.js';
export type { CronSchedule } from './schemas/cron.js';
export type { JobSpec } from './schemas/job-spec.js';
export type { ObjectReference } from './schemas/object-reference.js';

export { humanDuration, age, rfc3339 } from './table/age.js';

export { LabelSelector, parseLabelSelector, labelSelectorFromObject, labelSelectorFromMap, FieldSelector, parseFieldSelector, SelectorError } from './selector/index.js';
export type { LabelRequirement, LabelOperator, FieldRequirement, SelectorErrorCode, Parsed } from './selector/index.js';

export { namespaceKind, namespaceSchema } from './kinds/namespace.js';
export type { Namespace, NamespaceInput } from './kinds/namespace.js';
export { nodeKind, nodeSchema, nodeStatusText, nodeRolesText } from './kinds/node.js';
export type { Node, NodeInput } from './kinds/node.js';
export { podKind, podSchema, podSummary } from './kinds/pod.js';
export type { Pod, PodInput } from './kinds/pod.js';
export { bindingKind, bindingSchema } from './kinds/binding.js';
export type { Binding, BindingInput } from './kinds/binding.js';
export { replicaSetKind, replicaSetSchema } from './kinds/replica-set.js';
export type { ReplicaSet, ReplicaSetInput } from './kinds/replica-set.js';
export { replicationControllerKind, replicationControllerSchema } from './kinds/replication-controller.js';
export type { ReplicationController, ReplicationControllerInput } from './kinds/replication-controller.js';
export { deploymentKind, deploymentSchema } from './kinds/deployment.js';
export type { Deployment, DeploymentInput } from './kinds/deployment.js';
export { daemonSetKind, daemonSetSchema } from './kinds/daemon-set.js';
export type { DaemonSet, DaemonSetInput } from './kinds/daemon-set.js';
export { statefulSetKind, statefulSetSchema } from './kinds/stateful-set.js';
export type { StatefulSet, StatefulSetInput } from './kinds/stateful-set.js';
export { jobKind, jobSchema, jobStatusText } from './kinds/job.js';
export type { Job, JobInput } from './kinds/job.js';
export { cronJobKind, cronJobSchema } from './kinds/cron-job.js';
export type { CronJob, CronJobInput } from './kinds/cron-job.js';
export { serviceKind, serviceSchema, servicePortsText } from './kinds/service.js';
export type { Service, ServiceInput } from './kinds/service.js';
export { endpointsKind, endpointsSchema, endpointsText } from './kinds/endpoints.js';
export type { Endpoints, EndpointsInput } from './kinds/endpoints.js';
export { configMapKind, configMapSchema } from './kinds/config-map.js';
export type { ConfigMap, ConfigMapInput } from './kinds/config-map.js';
export { secretKind, secretSchema } from './kinds/secret.js';
export type { Secret, SecretInput } from './kinds/secret.js';
export { eventKind, eventSchema, eventObjectText } from './kinds/event.js';
export type { Event, EventInput } from './kinds/event.js';
export { limitRangeKind, limitRangeSchema } from './kinds/limit-range.js';
export type { LimitRange, LimitRangeInput } from './kinds/limit-range.js';
export { resourceQuotaKind, resourceQuotaSchema } from './kinds/resource-quota.js';
export type { ResourceQuota, ResourceQuotaInput } from './kinds/resource-quota.js';
export { leaseKind, leaseSchema } from './kinds/lease.js';
export type { Lease, LeaseInput } from './kinds/lease.js';
export { serviceAccountKind, serviceAccountSchema } from './kinds/service-account.js';
export type { ServiceAccount, ServiceAccountInput } from './kinds/service-account.js';
export { roleKind, roleSchema } from './kinds/role.js';
export type { Role, RoleInput } from './kinds/role.js';
export { roleBindingKind, roleBindingSchema } from './kinds/role-binding.js';
export type { RoleBinding, RoleBindingInput } from './kinds/role-binding.js';
export { clusterRoleKind, clusterRoleSchema } from './kinds/cluster-role.js';
export type { ClusterRole, ClusterRoleInput } from './kinds/cluster-role.js';
export { clusterRoleBindingKind, clusterRoleBindingSchema } from './kinds/cluster-role-binding.js';
export type { ClusterRoleBinding, ClusterRoleBindingInput } from './kinds/cluster-role-binding.js';
export {
  certificateSigningRequestKind,
  csrSchema,
  csrCondition,
  csrConditionText,
  CLIENT_SIGNER,
  CSR_API_VERSION,
  CSR_CONDITION_TYPES,
  CSR_SIGNERS,
  DEFAULT_CSR_USAGES,
  KUBELET_CLIENT_SIGNER,
  MIN_EXPIRATION_SECONDS,
} from './kinds/certificate-signing-request.js';
export type { CertificateSigningRequest, CertificateSigningRequestInput, CsrCondition, CsrConditionType } from './kinds/certificate-signing-request.js';

export { addQuantities, countKey, formatQuantity, groupOf, isTerminalPod, matchesScopes, objectUsage, resourceOfQuotaKey, sumUsage, unspecifiedResources } from './quota/index.js';
export type { Usage } from './quota/index.js';
