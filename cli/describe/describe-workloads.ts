// describe for Deployments (and the same replica summary for ReplicaSets and StatefulSets).
import type { KubeObject } from '../../api/kind.js';
import { labelSelectorFromObject } from '../../api/index.js';
import type { LabelSelectorObject } from '../../api/index.js';
import { conditionRows, mapLines, writeMetadata } from './describe-common.js';
import { writeContainers, writeVolumes } from './describe-pod.js';
import type { DescribeWriter } from './describe-writer.js';
import { rec, str } from './fields.js';

/** `app=web,tier in (a,b)` from a LabelSelector, as api/ prints selectors. */
export function selectorText(selector: unknown): string {
  try {
    const text = labelSelectorFromObject(selector as LabelSelectorObject | undefined).toString();
    return text === '' ? '<none>' : text;
  } catch {
    return '<invalid>';
  }
}

export function writePodTemplate(w: DescribeWriter, template: unknown): void {
  const t = rec(template);
  const spec = rec(t.spec);
  w.section(0, 'Pod Template');
  w.pair(1, 'Labels', mapLines(rec(t.metadata).labels));
  writeContainers(w, 1, 'Containers', spec.containers, undefined);
  writeVolumes(w, 1, spec.volumes);
}

export function describeWorkload(w: DescribeWriter, object: KubeObject): void {
  const spec = rec(object.spec);
  const status = rec(object.status);
  writeMetadata(w, object, true);
  w.pair(0, 'Selector', selectorText(spec.selector));
  const n = (v: unknown): string => str(v, '0');
  if (object.kind === 'Deployment') {
    w.pair(
      0,
      'Replicas',
      `${n(spec.replicas ?? 1)} desired | ${n(status.updatedReplicas)} updated | ${n(status.replicas)} total | ${n(status.availableReplicas)} available | ${n(status.unavailableReplicas)} unavailable`,
    );
    const strategy = rec(spec.strategy);
    w.pair(0, 'StrategyType', str(strategy.type, 'RollingUpdate'));
    w.pair(0, 'MinReadySeconds', n(spec.minReadySeconds));
    const rolling = rec(strategy.rollingUpdate);
    if (str(strategy.type, 'RollingUpdate') === 'RollingUpdate') {
      w.pair(0, 'RollingUpdateStrategy', `${str(rolling.maxUnavailable, '25%')} max unavailable, ${str(rolling.maxSurge, '25%')} max surge`);
    }
  } else {
    w.pair(0, 'Replicas', `${n(status.replicas)} current / ${n(spec.replicas ?? 1)} desired`);
    w.pair(0, 'Pods Status', `${n(status.readyReplicas)} Ready / ${n(status.availableReplicas)} Available`);
  }
  writePodTemplate(w, spec.template);
  w.table(0, 'Conditions', ['Type', 'Status', 'Reason'], conditionRows(status.conditions, ['reason']));
}
