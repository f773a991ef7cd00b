// RBAC escalation prevention (Kubernetes' rule): a user may write a Role or ClusterRole only with
// rules it already holds where the role applies, unless it may "escalate" that role; and may
// write a binding only to a role whose rules it already holds in the binding's scope, unless it
// may "bind" that role. Without this, anyone allowed to create RoleBindings could bind
// cluster-admin to itself. The API server calls these when rbac.authorization.k8s.io objects are
// created or updated.
import type { UserInfo } from '../authorizer.js';
import { resourceRequest } from '../authorizer.js';
import type { RbacIndex } from './rbac-index.js';
import { RbacAuthorizer } from './rbac-authorizer.js';
import { apiGroupMatches, nonResourceURLMatches, resourceMatches, verbMatches } from './rule-match.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from './types.js';
import { RBAC_GROUP } from './types.js';

export interface EscalationCheck {
  readonly allowed: boolean;
  readonly reason: string;
}

/** Every rule the user holds in `namespace` ("" = cluster-wide bindings only). */
export function rulesFor(index: RbacIndex, user: UserInfo, namespace: string): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const b of index.bindingsFor(user, namespace)) {
    const r = index.resolve(b.binding.roleRef, b.kind === 'RoleBinding' ? (b.binding.metadata.namespace ?? '') : '');
    if (r.found) out.push(...r.rules);
  }
  return out;
}

/** A rule split into single-verb, single-resource (single-name, single-URL) pieces. */
function atoms(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const verb of rule.verbs) {
    for (const url of rule.nonResourceURLs ?? []) out.push({ verbs: [verb], nonResourceURLs: [url] });
    for (const apiGroup of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0) out.push({ verbs: [verb], apiGroups: [apiGroup], resources: [resource] });
        for (const n of names) out.push({ verbs: [verb], apiGroups: [apiGroup], resources: [resource], resourceNames: [n] });
      }
    }
  }
  return out;
}

function covers(owner: PolicyRule, atom: PolicyRule): boolean {
  const verb = atom.verbs[0]!;
  if (!verbMatches(owner, verb)) return false;
  const url = atom.nonResourceURLs?.[0];
  if (url !== undefined) return nonResourceURLMatches(owner, url);
  const resource = atom.resources![0]!;
  const slash = resource.indexOf('/');
  if (!apiGroupMatches(owner, atom.apiGroups![0]!) || !resourceMatches(owner, resource, slash < 0 ? '' : resource.slice(slash + 1))) return false;
  const ownerNames = owner.resourceNames ?? [];
  const name = atom.resourceNames?.[0];
  return ownerNames.length === 0 || (name !== undefined && ownerNames.includes(name));
}

/** The pieces of `requested` that no rule of `owner` covers (empty: owner holds them all). */
export function uncoveredRules(owner: readonly PolicyRule[], requested: readonly PolicyRule[]): PolicyRule[] {
  return requested.flatMap(atoms).filter((a) => !owner.some((o) => covers(o, a)));
}

function describeRule(r: PolicyRule): string {
  const q = (xs: readonly string[] | undefined): string => `[${(xs ?? []).map((x) => JSON.stringify(x)).join(' ')}]`;
  if (r.nonResourceURLs !== undefined) return `{NonResourceURLs:${q(r.nonResourceURLs)}, Verbs:${q(r.verbs)}}`;
  const names = r.resourceNames === undefined ? '' : `, ResourceNames:${q(r.resourceNames)}`;
  return `{APIGroups:${q(r.apiGroups)}, Resources:${q(r.resources)}${names}, Verbs:${q(r.verbs)}}`;
}

function notHeld(user: UserInfo, missing: readonly PolicyRule[]): EscalationCheck {
  const groups = user.groups.map((g) => JSON.stringify(g)).join(' ');
  return { allowed: false, reason: `user "${user.name}" (groups=[${groups}]) is attempting to grant RBAC permissions not currently held: ${missing.map(describeRule).join(', ')}` };
}

/** May the user create/update this Role (kind "Role") or ClusterRole? */
export function checkRoleEscalation(index: RbacIndex, user: UserInfo, role: { readonly kind: 'Role'; readonly object: Role } | { readonly kind: 'ClusterRole'; readonly object: ClusterRole }): EscalationCheck {
  const namespace = role.kind === 'Role' ? (role.object.metadata.namespace ?? '') : '';
  const resource = role.kind === 'Role' ? 'roles' : 'clusterroles';
  const escalate = new RbacAuthorizer(index).authorize(user, resourceRequest({ verb: 'escalate', apiGroup: RBAC_GROUP, resource, namespace, name: role.object.metadata.name }));
  if (escalate.decision === 'allow') return { allowed: true, reason: `may escalate: ${escalate.reason}` };
  const missing = uncoveredRules(rulesFor(index, user, namespace), role.object.rules ?? []);
  return missing.length === 0 ? { allowed: true, reason: 'the user holds every rule of the role' } : notHeld(user, missing);
}

/** May the user create/update this RoleBinding (kind "RoleBinding") or ClusterRoleBinding? */
export function checkBindingEscalation(
  index: RbacIndex,
  user: UserInfo,
  binding: { readonly kind: 'RoleBinding'; readonly object: RoleBinding } | { readonly kind: 'ClusterRoleBinding'; readonly object: ClusterRoleBinding },
): EscalationCheck {
  const namespace = binding.kind === 'RoleBinding' ? (binding.object.metadata.namespace ?? '') : '';
  const ref = binding.object.roleRef;
  // A Role lives in the binding's namespace; a ClusterRole is checked where the binding grants it.
  const bind = new RbacAuthorizer(index).authorize(
    user,
    resourceRequest({ verb: 'bind', apiGroup: RBAC_GROUP, resource: ref.kind === 'Role' ? 'roles' : 'clusterroles', namespace, name: ref.name }),
  );
  if (bind.decision === 'allow') return { allowed: true, reason: `may bind: ${bind.reason}` };
  const role = index.resolve(ref, namespace);
  if (!role.found) return { allowed: false, reason: `${role.error}, and user "${user.name}" may not bind it` };
  const missing = uncoveredRules(rulesFor(index, user, namespace), role.rules);
  return missing.length === 0 ? { allowed: true, reason: 'the user holds every rule of the bound role' } : notHeld(user, missing);
}
