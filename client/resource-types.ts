// The object type of every resource Shoal serves, from api/'s kind schemas, so that
// `client.typed('pods')` is a ResourceClient<Pod> without naming the type twice. The input type
// (what create accepts: defaults optional) sits beside it.
import type * as api from '../api/index.js';

export interface ResourceTypes {
  namespaces: { object: api.Namespace; input: api.NamespaceInput };
  nodes: { object: api.Node; input: api.NodeInput };
  pods: { object: api.Pod; input: api.PodInput };
  replicasets: { object: api.ReplicaSet; input: api.ReplicaSetInput };
  replicationcontrollers: { object: api.ReplicationController; input: api.ReplicationControllerInput };
  deployments: { object: api.Deployment; input: api.DeploymentInput };
  daemonsets: { object: api.DaemonSet; input: api.DaemonSetInput };
  statefulsets: { object: api.StatefulSet; input: api.StatefulSetInput };
  jobs: { object: api.Job; input: api.JobInput };
  cronjobs: { object: api.CronJob; input: api.CronJobInput };
  services: { object: api.Service; input: api.ServiceInput };
  endpoints: { object: api.Endpoints; input: api.EndpointsInput };
  configmaps: { object: api.ConfigMap; input: api.ConfigMapInput };
  secrets: { object: api.Secret; input: api.SecretInput };
  events: { object: api.Event; input: api.EventInput };
  limitranges: { object: api.LimitRange; input: api.LimitRangeInput };
  resourcequotas: { object: api.ResourceQuota; input: api.ResourceQuotaInput };
  leases: { object: api.Lease; input: api.LeaseInput };
  serviceaccounts: { object: api.ServiceAccount; input: api.ServiceAccountInput };
  roles: { object: api.Role; input: api.RoleInput };
  rolebindings: { object: api.RoleBinding; input: api.RoleBindingInput };
  clusterroles: { object: api.ClusterRole; input: api.ClusterRoleInput };
  clusterrolebindings: { object: api.ClusterRoleBinding; input: api.ClusterRoleBindingInput };
}

export type ResourceName = keyof ResourceTypes;
export type ObjectOf<R extends ResourceName> = ResourceTypes[R]['object'];
export type InputOf<R extends ResourceName> = ResourceTypes[R]['input'];
