// ClusterRole aggregation: a ClusterRole with an aggregationRule owns the union of the rules of
// every ClusterRole its label selectors pick (Kubernetes' clusterrole-aggregation controller,
// done here as a pure function). Aggregation is transitive (view → edit → admin): a selected role
// that aggregates itself contributes its aggregated rules. Cycles contribute their own rules once.
import type { ClusterRole, LabelSelector, PolicyRule } from './types.js';

export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const want = selector.matchLabels ?? {};
  const keys = Object.keys(want);
  // An empty selector selects nothing here: aggregating every role into one is never intended.
  if (keys.length === 0) return false;
  return keys.every((k) => labels?.[k] === want[k]);
}

/** The effective rules of every ClusterRole, by name (own rules for plain roles). */
export function effectiveClusterRoleRules(roles: Iterable<ClusterRole>): Map<string, readonly PolicyRule[]> {
  const byName = new Map<string, ClusterRole>();
  for (const r of roles) byName.set(r.metadata.name, r);
  const done = new Map<string, readonly PolicyRule[]>();
  const visiting = new Set<string>();

  const resolve = (role: ClusterRole): readonly PolicyRule[] => {
    const name = role.metadata.name;
    const cached = done.get(name);
    if (cached !== undefined) return cached;
    const agg = role.aggregationRule;
    if (agg === undefined || visiting.has(name)) return role.rules ?? [];
    visiting.add(name);
    const rules: PolicyRule[] = [];
    const seen = new Set<string>();
    const add = (r: PolicyRule): void => {
      const key = JSON.stringify(r);
      if (seen.has(key)) return;
      seen.add(key);
      rules.push(r);
    };
    // Names are sorted so the result does not depend on the order roles arrived in.
    for (const other of [...byName.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
      if (other.metadata.name === name) continue;
      if (!agg.clusterRoleSelectors.some((s) => selectorMatches(s, other.metadata.labels))) continue;
      for (const r of resolve(other)) add(r);
    }
    visiting.delete(name);
    done.set(name, rules);
    return rules;
  };

  const out = new Map<string, readonly PolicyRule[]>();
  for (const role of byName.values()) out.set(role.metadata.name, resolve(role));
  return out;
}

/** The ClusterRoles with their aggregated rules written in, as the controller would store them. */
export function aggregateClusterRoles(roles: readonly ClusterRole[]): ClusterRole[] {
  const rules = effectiveClusterRoleRules(roles);
  return roles.map((r) => (r.aggregationRule === undefined ? r : { ...r, rules: rules.get(r.metadata.name) ?? [] }));
}
