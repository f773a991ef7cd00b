// Every kind Shoal serves, and lookup by any name a user may type: resource (`deployments`),
// singular (`deployment`), short name (`deploy`) or kind (`Deployment`), case-insensitive,
// optionally qualified by group (`deployments.apps`).
import type { ShoalKind } from './define-kind.js';
import { namespaceKind } from './kinds/namespace.js';
import { nodeKind } from './kinds/node.js';
import { podKind } from './kinds/pod.js';
import { replicaSetKind } from './kinds/replica-set.js';
import { replicationControllerKind } from './kinds/replication-controller.js';
import { deploymentKind } from './kinds/deployment.js';
import { daemonSetKind } from './kinds/daemon-set.js';
import { statefulSetKind } from './kinds/stateful-set.js';
import { jobKind } from './kinds/job.js';
import { cronJobKind } from './kinds/cron-job.js';
import { serviceKind } from './kinds/service.js';
import { endpointsKind } from './kinds/endpoints.js';
import { configMapKind } from './kinds/config-map.js';
import { secretKind } from './kinds/secret.js';
import { eventKind } from './kinds/event.js';
import { limitRangeKind } from './kinds/limit-range.js';
import { resourceQuotaKind } from './kinds/resource-quota.js';
import { leaseKind } from './kinds/lease.js';
import { serviceAccountKind } from './kinds/service-account.js';
import { roleKind } from './kinds/role.js';
import { roleBindingKind } from './kinds/role-binding.js';
import { clusterRoleKind } from './kinds/cluster-role.js';
import { clusterRoleBindingKind } from './kinds/cluster-role-binding.js';
import { certificateSigningRequestKind } from './kinds/certificate-signing-request.js';

/** In kubectl's order of importance (roughly): what `get all`-like listings show first. */
export const KINDS: readonly ShoalKind[] = [
  namespaceKind,
  nodeKind,
  podKind,
  replicaSetKind,
  replicationControllerKind,
  deploymentKind,
  daemonSetKind,
  statefulSetKind,
  jobKind,
  cronJobKind,
  serviceKind,
  endpointsKind,
  configMapKind,
  secretKind,
  eventKind,
  limitRangeKind,
  resourceQuotaKind,
  leaseKind,
  serviceAccountKind,
  roleKind,
  roleBindingKind,
  clusterRoleKind,
  clusterRoleBindingKind,
  certificateSigningRequestKind,
];

export class KindRegistry {
  private readonly byName = new Map<string, ShoalKind>();

  constructor(readonly kinds: readonly ShoalKind[]) {
    for (const k of kinds) {
      const names = [k.resource, k.singular, k.kind, ...k.shortNames].map((n) => n.toLowerCase());
      for (const n of names) {
        const seen = this.byName.get(n);
        if (seen && seen !== k) throw new Error(`kind registry: "${n}" names both ${seen.kind} and ${k.kind}`);
        this.byName.set(n, k);
        this.byName.set(`${n}.${k.group}`, k);
      }
    }
  }

  /** The kind a user means by `name`, or undefined. */
  kindFor(name: string): ShoalKind | undefined {
    const n = name.toLowerCase();
    return this.byName.get(n) ?? (n.endsWith('.') ? this.byName.get(n.slice(0, -1)) : undefined);
  }

  /** By apiVersion + kind, as written in an object. */
  byKind(apiVersion: string, kind: string): ShoalKind | undefined {
    return this.kinds.find((k) => k.kind === kind && k.apiVersion === apiVersion);
  }
}

export const registry = new KindRegistry(KINDS);

/** `kindFor("deploy")` → the Deployment definition. */
export const kindFor = (name: string): ShoalKind | undefined => registry.kindFor(name);
