// What a Delete does to a stored object, as in Kubernetes. Pure: the registry applies the
// outcome with a compare-and-swap.
// - An object with finalizers is only marked (deletionTimestamp); it goes when an update removes
//   the last finalizer (see shouldDeleteDuringUpdate).
// - A pod bound to a node with a grace period > 0 is only marked (deletionTimestamp = now + grace);
//   the node agent stops it and deletes it with grace 0. An unbound or finished pod goes at once.
// - Other kinds have no grace period.
// - A namespace becomes Terminating (status.phase) and stays while spec.finalizers is not empty
//   (the namespace controller deletes its content, then empties spec.finalizers).
// - propagationPolicy Orphan / Foreground add the "orphan" / "foregroundDeletion" finalizer for
//   the garbage collector, as Kubernetes does.
import type { KubeObject } from '../../../api/kind.js';
import { timestamp } from '../clock.js';
import { badRequest } from '../errors.js';

export const PropagationPolicy = { Background: 'Background', Foreground: 'Foreground', Orphan: 'Orphan' } as const;
export type PropagationPolicy = (typeof PropagationPolicy)[keyof typeof PropagationPolicy];

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';
/** The namespace finalizer in spec.finalizers, removed by the namespace controller. */
export const FINALIZER_NAMESPACE = 'kubernetes';
export const DEFAULT_POD_GRACE_SECONDS = 30;

export type DeleteOutcome =
  | { readonly action: 'delete' }
  | { readonly action: 'mark'; readonly object: KubeObject }
  /** Already being deleted and nothing to change. */
  | { readonly action: 'none' };

export function parsePropagationPolicy(raw: string): PropagationPolicy {
  if (raw === '') return 'Background';
  if (raw === 'Background' || raw === 'Foreground' || raw === 'Orphan') return raw;
  throw badRequest(`propagation_policy: Unsupported value: "${raw}": supported values: "Background", "Foreground", "Orphan"`);
}

interface PodLike {
  spec?: { nodeName?: unknown; terminationGracePeriodSeconds?: unknown };
  status?: { phase?: unknown };
}

/** The grace period this delete asks for. */
export function gracePeriodFor(resource: string, object: KubeObject, requested: number | undefined): number {
  if (requested !== undefined && requested < 0) throw badRequest(`grace_period_seconds must be >= 0, got ${requested}`);
  if (resource !== 'pods') return 0;
  const pod = object as PodLike;
  const nodeName = pod.spec?.nodeName;
  if (typeof nodeName !== 'string' || nodeName === '') return 0;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return 0;
  if (requested !== undefined) return requested;
  const own = pod.spec?.terminationGracePeriodSeconds;
  return typeof own === 'number' && own >= 0 ? own : DEFAULT_POD_GRACE_SECONDS;
}

function namespaceFinalizers(ns: KubeObject): readonly string[] {
  const f = (ns.spec as { finalizers?: unknown } | undefined)?.finalizers;
  return Array.isArray(f) ? (f as string[]) : [];
}

function withFinalizer(finalizers: readonly string[], policy: PropagationPolicy): string[] {
  const out = [...finalizers];
  const add = policy === 'Orphan' ? FINALIZER_ORPHAN : policy === 'Foreground' ? FINALIZER_FOREGROUND : undefined;
  if (add !== undefined && !out.includes(add)) out.push(add);
  return out;
}

export function decideDelete(resource: string, stored: KubeObject, opts: { grace: number | undefined; policy: PropagationPolicy; now: Date }): DeleteOutcome {
  const meta = stored.metadata;
  const grace = gracePeriodFor(resource, stored, opts.grace);
  const finalizers = meta.deletionTimestamp === undefined ? withFinalizer(meta.finalizers ?? [], opts.policy) : [...(meta.finalizers ?? [])];
  const at = (seconds: number): string => timestamp(new Date(opts.now.getTime() + seconds * 1000));

  if (resource === 'namespaces') {
    const pending = finalizers.length > 0 || namespaceFinalizers(stored).length > 0;
    if (meta.deletionTimestamp !== undefined) return pending ? { action: 'none' } : { action: 'delete' };
    if (!pending) return { action: 'delete' };
    const status = { ...((stored.status as Record<string, unknown> | undefined) ?? {}), phase: 'Terminating' };
    return { action: 'mark', object: { ...stored, metadata: { ...meta, finalizers: finalizers.length > 0 ? finalizers : undefined, deletionTimestamp: at(0), deletionGracePeriodSeconds: 0 }, status } };
  }

  if (meta.deletionTimestamp !== undefined) {
    const current = meta.deletionGracePeriodSeconds ?? 0;
    if (grace === 0 && finalizers.length === 0) return { action: 'delete' };
    // Only a shorter grace period (e.g. the agent's grace-0 delete) changes anything.
    if (grace >= current) return { action: 'none' };
    const newTs = at(grace) < meta.deletionTimestamp ? at(grace) : meta.deletionTimestamp;
    return { action: 'mark', object: { ...stored, metadata: { ...meta, deletionTimestamp: newTs, deletionGracePeriodSeconds: grace } } };
  }
  if (grace === 0 && finalizers.length === 0) return { action: 'delete' };
  return {
    action: 'mark',
    object: { ...stored, metadata: { ...meta, finalizers: finalizers.length > 0 ? finalizers : undefined, deletionTimestamp: at(grace), deletionGracePeriodSeconds: grace } },
  };
}

/**
 * An update that removes the last finalizer of an object being deleted deletes it, once its
 * grace period is over (deletionGracePeriodSeconds 0), as Kubernetes does. A namespace also
 * needs spec.finalizers empty.
 */
export function shouldDeleteDuringUpdate(resource: string, next: KubeObject, old: KubeObject): boolean {
  if (old.metadata.deletionTimestamp === undefined) return false;
  if ((next.metadata.finalizers ?? []).length > 0) return false;
  if (resource === 'namespaces') return namespaceFinalizers(next).length === 0;
  return (old.metadata.deletionGracePeriodSeconds ?? 0) === 0;
}
