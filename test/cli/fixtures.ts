// Fixed objects and a fixed `now` for shoalctl's golden-output tests.
import type { KubeObject } from '../../api/kind.js';
import { KINDS } from '../../api/index.js';
import { columnsFor } from '../../cli/kinds.js';
import { resourcesFromDiscovery } from '../../cli/resources.js';
import type { ResourceInfo } from '../../cli/resources.js';

export const NOW = new Date('2026-12-04T12:00:00Z');

/** The resource infos a server serving api/'s kinds would give (discovery joined with columns). */
export const RESOURCES: ResourceInfo[] = resourcesFromDiscovery(
  KINDS.map((k) => ({ name: k.resource, singularName: k.singular, kind: k.kind, apiVersion: k.apiVersion, namespaced: k.namespaced, shortNames: k.shortNames, verbs: ['create', 'get', 'list'] })),
  columnsFor,
);

export function info(resource: string): ResourceInfo {
  const found = RESOURCES.find((r) => r.resource === resource);
  if (!found) throw new Error(`fixture: no resource ${resource}`);
  return found;
}

export function pod(name: string, namespace: string, opts: { created: string; phase?: string; ready?: boolean; restarts?: number; ip?: string; node?: string; labels?: Record<string, string> }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `uid-${name}`, creationTimestamp: opts.created, ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      containers: [{ name: 'web', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
      restartPolicy: 'Always',
      ...(opts.node ? { nodeName: opts.node } : {}),
    },
    status: {
      phase: opts.phase ?? 'Pending',
      ...(opts.ip ? { podIP: opts.ip } : {}),
      ...(opts.phase === 'Running'
        ? { containerStatuses: [{ name: 'web', ready: opts.ready ?? true, restartCount: opts.restarts ?? 0, image: 'nginx:1.25', state: { running: { startedAt: opts.created } } }] }
        : {}),
    },
  };
}

export function deployment(name: string, created: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', creationTimestamp: created, labels: { app: name } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    },
    status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 1 },
  };
}

export function event(reason: string, message: string, last: string, opts: { count?: number; first?: string; type?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `web.${reason}`, namespace: 'default', creationTimestamp: last },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
    reason,
    message,
    type: opts.type ?? 'Normal',
    source: { component: 'scheduler' },
    count: opts.count ?? 1,
    firstTimestamp: opts.first ?? last,
    lastTimestamp: last,
  };
}
