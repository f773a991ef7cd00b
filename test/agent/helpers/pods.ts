// Pods for agent tests, already defaulted the way the API server stores them.
import { randomUUID } from 'node:crypto';
import type { Pod } from '../../../api/index.js';
import { podSchema } from '../../../api/kinds/pod.js';

/** A pod through the kind's schema (defaults applied), with a uid and the node set. */
export function makePod(name: string, spec: Record<string, unknown>, node = 'node-a', namespace = 'default'): Pod {
  const parsed = podSchema.parse({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid: randomUUID() }, spec: { nodeName: node, ...spec } });
  return parsed as Pod;
}
