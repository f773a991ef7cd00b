// Pod templates of workloads (Deployment, ReplicaSet, DaemonSet, StatefulSet, Job, ...), and
// the rule that a workload's selector must select its own template.
import { z } from 'zod';
import { invalid, obj, type Path, type Reporter } from './kit.js';
import { templateMetaSchema } from './object-meta.js';
import { podSpecSchema, type RestartPolicy } from './pod-spec.js';
import { labelSelectorFromObject, type LabelSelector } from '../selector/label-selector.js';
import type { LabelSelectorObject } from './label-selector.js';

export function podTemplateSpecSchema(restartPolicies?: readonly RestartPolicy[], checkMounts = true) {
  return obj({ metadata: templateMetaSchema.optional(), spec: podSpecSchema(restartPolicies, checkMounts) });
}

export type PodTemplateSpec = z.output<ReturnType<typeof podTemplateSpecSchema>>;

/** `spec.selector` must be non-empty and match `spec.template.metadata.labels`. */
export function checkSelectorMatchesTemplate(
  ctx: Reporter,
  selector: LabelSelectorObject | LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
  kind: string,
  /** Path of the spec holding `selector` and `template`, relative to the checked schema. */
  base: Path = ['spec'],
): void {
  const selectorPath = [...base, 'selector'];
  const sel = 'requirements' in selector ? selector : labelSelectorFromObject(selector);
  if (sel.isEmpty()) {
    invalid(ctx, selectorPath, {}, `empty selector is invalid for ${kind}`);
    return;
  }
  if (!sel.matches(labels)) invalid(ctx, [...base, 'template', 'metadata', 'labels'], labels ?? {}, '`selector` does not match template `labels`');
}
