// `shoalctl describe`: one describer per kind that has one, a generic dump for the rest, and the
// object's recent events at the end. Pure: the caller fetched the object and its events.
import type { KubeObject } from '../../api/kind.js';
import { writeEvents, writeGeneric, writeMetadata } from './describe-common.js';
import { describePod } from './describe-pod.js';
import { describeNode, describeService } from './describe-service.js';
import { DescribeWriter } from './describe-writer.js';
import { describeWorkload } from './describe-workloads.js';

type Describer = (w: DescribeWriter, object: KubeObject) => void;

const DESCRIBERS: Readonly<Record<string, Describer>> = {
  Pod: describePod,
  Deployment: describeWorkload,
  ReplicaSet: describeWorkload,
  StatefulSet: describeWorkload,
  Service: describeService,
  Node: describeNode,
};

/** Events undefined = the kind has no events section (Event itself). */
export function describeObject(object: KubeObject, namespaced: boolean, events: readonly KubeObject[] | undefined, now: Date): string {
  const w = new DescribeWriter();
  const own = DESCRIBERS[object.kind];
  if (own) own(w, object);
  else {
    writeMetadata(w, object, namespaced);
    writeGeneric(w, object);
  }
  writeEvents(w, events, now);
  return w.render();
}

/** The field selector for an object's events. */
export function eventSelector(object: KubeObject): string {
  const parts = [`involvedObject.name=${object.metadata.name ?? ''}`, `involvedObject.kind=${object.kind}`];
  if (object.metadata.namespace) parts.push(`involvedObject.namespace=${object.metadata.namespace}`);
  return parts.join(',');
}
