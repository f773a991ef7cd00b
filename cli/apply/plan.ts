// What `apply` does with one manifest, decided purely from the manifest and the live object:
// create it, patch it (three-way merge against the last applied configuration), or nothing.
import type { KubeObject } from '../../api/kind.js';
import { isObject, threeWayMergePatch } from './three-way-merge.js';
import type { JsonObject } from './three-way-merge.js';

/** Where the last applied file content is kept, as kubectl's kubectl.kubernetes.io/last-applied-configuration. */
export const LAST_APPLIED = 'shoal.io/last-applied-configuration';

export type ApplyPlan =
  | { readonly action: 'create'; readonly object: KubeObject }
  | { readonly action: 'patch'; readonly patch: JsonObject }
  | { readonly action: 'unchanged' };

export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

/** The manifest with its own content (minus the annotation) recorded in the annotation. */
export function withLastApplied(manifest: KubeObject): KubeObject {
  const annotations = { ...(manifest.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  const metadata = { ...manifest.metadata };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  const bare: KubeObject = { ...manifest, metadata };
  return { ...bare, metadata: { ...metadata, annotations: { ...annotations, [LAST_APPLIED]: JSON.stringify(bare) } } };
}

export function lastApplied(live: KubeObject): JsonObject {
  const raw = live.metadata.annotations?.[LAST_APPLIED];
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {}; // a broken annotation counts as no history: nothing is deleted
  }
}

export function planApply(manifest: KubeObject, live: KubeObject | undefined): ApplyPlan {
  const modified = withLastApplied(manifest);
  if (!live) return { action: 'create', object: modified };
  const patch = threeWayMergePatch(lastApplied(live), modified as unknown as JsonObject, live as unknown as JsonObject);
  return Object.keys(patch).length === 0 ? { action: 'unchanged' } : { action: 'patch', patch };
}

export function outcomeOf(plan: ApplyPlan): ApplyOutcome {
  switch (plan.action) {
    case 'create':
      return 'created';
    case 'patch':
      return 'configured';
    case 'unchanged':
      return 'unchanged';
  }
}

/** `pod/web created`, `deployment.apps/web configured`, with ` (dry run)` on dry runs. */
export function outcomeLine(typeName: string, name: string, outcome: string, dryRun = false): string {
  return `${typeName}/${name} ${outcome}${dryRun ? ' (dry run)' : ''}\n`;
}
