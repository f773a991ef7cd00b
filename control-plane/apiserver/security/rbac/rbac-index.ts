// The RBAC objects indexed for decisions: bindings by subject, so one decision looks only at the
// bindings that name the user, one of its groups or its service account, never at all of them.
// Pure in-memory state, fed whole (RbacIndex.from) or by informer events (apply); no I/O.
//
// Subjects are indexed by the user name or group they match. A ServiceAccount subject matches the
// user system:serviceaccount:<ns>:<name> (its namespace defaults to the RoleBinding's), so it is
// indexed under that user name.
import { serviceAccountUsername } from '../identities.js';
import { effectiveClusterRoleRules } from './aggregation.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, RbacPolicy, Role, RoleBinding, RoleRef, Subject } from './types.js';

/** One informer event. Deletes carry the object as last seen (only its name and namespace are read). */
export type RbacEvent =
  | { readonly type: 'upsert' | 'delete'; readonly kind: 'Role'; readonly object: Role }
  | { readonly type: 'upsert' | 'delete'; readonly kind: 'ClusterRole'; readonly object: ClusterRole }
  | { readonly type: 'upsert' | 'delete'; readonly kind: 'RoleBinding'; readonly object: RoleBinding }
  | { readonly type: 'upsert' | 'delete'; readonly kind: 'ClusterRoleBinding'; readonly object: ClusterRoleBinding };

/** A binding that applies to a user, with the subject through which it applies. */
export type AppliedBinding =
  | { readonly kind: 'ClusterRoleBinding'; readonly binding: ClusterRoleBinding; readonly subject: Subject }
  | { readonly kind: 'RoleBinding'; readonly binding: RoleBinding; readonly subject: Subject };

/** The rules a roleRef resolves to, or why it does not resolve. */
export type ResolvedRole = { readonly found: true; readonly rules: readonly PolicyRule[] } | { readonly found: false; readonly error: string };

const userKey = (name: string): string => `User\0${name}`;
const groupKey = (name: string): string => `Group\0${name}`;
const nsKey = (namespace: string, name: string): string => `${namespace}\0${name}`;

/** The index key a subject matches, or undefined when it can match nobody. */
function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User':
      return userKey(s.name);
    case 'Group':
      return groupKey(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace !== undefined && s.namespace !== '' ? s.namespace : bindingNamespace;
      return ns === '' ? undefined : userKey(serviceAccountUsername(ns, s.name));
    }
  }
}

/** Keys under which a multimap holds binding keys. */
class MultiMap {
  private readonly m = new Map<string, Set<string>>();
  add(k: string, v: string): void {
    let s = this.m.get(k);
    if (s === undefined) this.m.set(k, (s = new Set()));
    s.add(v);
  }
  remove(k: string, v: string): void {
    const s = this.m.get(k);
    if (s === undefined) return;
    s.delete(v);
    if (s.size === 0) this.m.delete(k);
  }
  get(k: string): ReadonlySet<string> {
    return this.m.get(k) ?? new Set();
  }
}

export class RbacIndex {
  private readonly roles = new Map<string, Role>();
  private readonly clusterRoles = new Map<string, ClusterRole>();
  /** Effective (aggregated) rules of every ClusterRole; recomputed when a ClusterRole changes. */
  private clusterRules = new Map<string, readonly PolicyRule[]>();
  private readonly clusterBindings = new Map<string, ClusterRoleBinding>();
  private readonly clusterBindingsBySubject = new MultiMap();
  private readonly bindings = new Map<string, RoleBinding>();
  /** Key: namespace \0 subject key → RoleBinding keys (namespace \0 name). */
  private readonly bindingsBySubject = new MultiMap();

  static from(policy: RbacPolicy): RbacIndex {
    const idx = new RbacIndex();
    for (const r of policy.roles) idx.roles.set(nsKey(r.metadata.namespace ?? '', r.metadata.name), r);
    for (const r of policy.clusterRoles) idx.clusterRoles.set(r.metadata.name, r);
    idx.recomputeClusterRules();
    for (const b of policy.roleBindings) idx.upsertRoleBinding(b);
    for (const b of policy.clusterRoleBindings) idx.upsertClusterRoleBinding(b);
    return idx;
  }

  apply(e: RbacEvent): void {
    switch (e.kind) {
      case 'Role':
        return e.type === 'upsert' ? this.upsertRole(e.object) : this.deleteRole(e.object.metadata.namespace ?? '', e.object.metadata.name);
      case 'ClusterRole':
        return e.type === 'upsert' ? this.upsertClusterRole(e.object) : this.deleteClusterRole(e.object.metadata.name);
      case 'RoleBinding':
        return e.type === 'upsert' ? this.upsertRoleBinding(e.object) : this.deleteRoleBinding(e.object.metadata.namespace ?? '', e.object.metadata.name);
      case 'ClusterRoleBinding':
        return e.type === 'upsert' ? this.upsertClusterRoleBinding(e.object) : this.deleteClusterRoleBinding(e.object.metadata.name);
    }
  }

  upsertRole(r: Role): void {
    this.roles.set(nsKey(r.metadata.namespace ?? '', r.metadata.name), r);
  }

  deleteRole(namespace: string, name: string): void {
    this.roles.delete(nsKey(namespace, name));
  }

  upsertClusterRole(r: ClusterRole): void {
    this.clusterRoles.set(r.metadata.name, r);
    this.recomputeClusterRules();
  }

  deleteClusterRole(name: string): void {
    if (this.clusterRoles.delete(name)) this.recomputeClusterRules();
  }

  upsertClusterRoleBinding(b: ClusterRoleBinding): void {
    this.deleteClusterRoleBinding(b.metadata.name);
    this.clusterBindings.set(b.metadata.name, b);
    for (const s of b.subjects ?? []) {
      const k = subjectKey(s, '');
      if (k !== undefined) this.clusterBindingsBySubject.add(k, b.metadata.name);
    }
  }

  deleteClusterRoleBinding(name: string): void {
    const old = this.clusterBindings.get(name);
    if (old === undefined) return;
    this.clusterBindings.delete(name);
    for (const s of old.subjects ?? []) {
      const k = subjectKey(s, '');
      if (k !== undefined) this.clusterBindingsBySubject.remove(k, name);
    }
  }

  upsertRoleBinding(b: RoleBinding): void {
    const ns = b.metadata.namespace ?? '';
    this.deleteRoleBinding(ns, b.metadata.name);
    const key = nsKey(ns, b.metadata.name);
    this.bindings.set(key, b);
    for (const s of b.subjects ?? []) {
      const k = subjectKey(s, ns);
      if (k !== undefined) this.bindingsBySubject.add(nsKey(ns, k), key);
    }
  }

  deleteRoleBinding(namespace: string, name: string): void {
    const key = nsKey(namespace, name);
    const old = this.bindings.get(key);
    if (old === undefined) return;
    this.bindings.delete(key);
    for (const s of old.subjects ?? []) {
      const k = subjectKey(s, namespace);
      if (k !== undefined) this.bindingsBySubject.remove(nsKey(namespace, k), key);
    }
  }

  /**
   * The bindings that apply to the user: every ClusterRoleBinding naming it, and, when namespace
   * is not "", every RoleBinding of that namespace naming it. Sorted by kind then name.
   */
  bindingsFor(user: { readonly name: string; readonly groups: readonly string[] }, namespace: string): AppliedBinding[] {
    const keys = [userKey(user.name), ...user.groups.map(groupKey)];
    const out: AppliedBinding[] = [];
    const seenCluster = new Set<string>();
    for (const k of keys) {
      for (const name of this.clusterBindingsBySubject.get(k)) {
        if (seenCluster.has(name)) continue;
        seenCluster.add(name);
        const binding = this.clusterBindings.get(name)!;
        out.push({ kind: 'ClusterRoleBinding', binding, subject: matchingSubject(binding.subjects ?? [], k, '') });
      }
    }
    if (namespace !== '') {
      const seen = new Set<string>();
      for (const k of keys) {
        for (const bk of this.bindingsBySubject.get(nsKey(namespace, k))) {
          if (seen.has(bk)) continue;
          seen.add(bk);
          const binding = this.bindings.get(bk)!;
          out.push({ kind: 'RoleBinding', binding, subject: matchingSubject(binding.subjects ?? [], k, namespace) });
        }
      }
    }
    return out.sort((a, b) => (a.kind === b.kind ? a.binding.metadata.name.localeCompare(b.binding.metadata.name) : a.kind === 'ClusterRoleBinding' ? -1 : 1));
  }

  /** The rules a binding's roleRef grants. A Role is looked up in the binding's namespace. */
  resolve(ref: RoleRef, bindingNamespace: string): ResolvedRole {
    if (ref.kind === 'ClusterRole') {
      const rules = this.clusterRules.get(ref.name);
      return rules === undefined ? { found: false, error: `clusterrole.rbac.authorization.k8s.io "${ref.name}" not found` } : { found: true, rules };
    }
    const role = this.roles.get(nsKey(bindingNamespace, ref.name));
    return role === undefined ? { found: false, error: `role.rbac.authorization.k8s.io "${ref.name}" not found` } : { found: true, rules: role.rules ?? [] };
  }

  /** Counts, for tests and metrics. */
  size(): { roles: number; clusterRoles: number; roleBindings: number; clusterRoleBindings: number } {
    return { roles: this.roles.size, clusterRoles: this.clusterRoles.size, roleBindings: this.bindings.size, clusterRoleBindings: this.clusterBindings.size };
  }

  private recomputeClusterRules(): void {
    this.clusterRules = effectiveClusterRoleRules(this.clusterRoles.values());
  }
}

function matchingSubject(subjects: readonly Subject[], key: string, namespace: string): Subject {
  const s = subjects.find((x) => subjectKey(x, namespace) === key);
  if (s === undefined) throw new Error(`rbac index: no subject of the binding matches ${key.replace('\0', ':')}`);
  return s;
}
