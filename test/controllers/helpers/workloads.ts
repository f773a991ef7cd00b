// Object builders and pod views shared by the controller tests.
import type { Deployment, Pod } from '../../../api/index.js';
import type { FakeKubelet } from './cluster.js';

export function deployment(name: string, replicas: number, image: string, strategy: Record<string, unknown> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } }, ...strategy },
  } as unknown as Deployment;
}

const live = (p: Pod): boolean => p.metadata.deletionTimestamp === undefined && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

export function podsOf(k: FakeKubelet, app: string): Pod[] {
  return k.pods.cache.list().filter((p) => p.metadata.labels?.app === app && live(p));
}

