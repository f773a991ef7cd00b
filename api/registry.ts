// Every kind Shoal serves, and lookup by any name a user may type: resource (`deployments`),
// singular (`deployment`), short name (`deploy`) or kind (`Deployment`), case-insensitive,
// optionally qualified by group (`deployments.apps`).
import type { ShoalKind } from './define-kind.js';
import { configMapKind } from './kinds/config-map.js';
import { deploymentKind } from './kinds/deployment.js';
import { namespaceKind } from './kinds/namespace.js';
import { podKind } from './kinds/pod.js';

/** In kubectl's order of importance (roughly): what `get all`-like listings show first. */
export const KINDS: readonly ShoalKind[] = [namespaceKind, podKind, configMapKind, deploymentKind] as unknown as readonly ShoalKind[];

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
