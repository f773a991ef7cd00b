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

export { humanDuration, age } from './table/age.js';

export { LabelSelector, parseLabelSelector, labelSelectorFromObject, labelSelectorFromMap } from './selector/label-selector.js';
export type { LabelRequirement, LabelOperator } from './selector/label-selector.js';
export { SelectorError } from './selector/selector-error.js';
export type { SelectorErrorCode, Parsed } from './selector/selector-error.js';

export { namespaceKind, namespaceSchema } from './kinds/namespace.js';
export type { Namespace, NamespaceInput } from './kinds/namespace.js';
export { podKind, podSchema, podSummary } from './kinds/pod.js';
export type { Pod, PodInput } from './kinds/pod.js';
export { bindingKind, bindingSchema } from './kinds/binding.js';
export type { Binding, BindingInput } from './kinds/binding.js';
export { configMapKind, configMapSchema } from './kinds/config-map.js';
export type { ConfigMap, ConfigMapInput } from './kinds/config-map.js';
export { deploymentKind, deploymentSchema } from './kinds/deployment.js';
export type { Deployment, DeploymentInput } from './kinds/deployment.js';
