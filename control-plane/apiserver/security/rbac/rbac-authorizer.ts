// The RBAC authorizer: a request is allowed when a rule of a role bound to the user (by name,
// by one of its groups, or as a service account) covers it. ClusterRoleBindings grant everywhere;
// RoleBindings grant only inside their namespace, also when they reference a ClusterRole.
// RBAC only ever allows: otherwise it has no opinion, and the chain's end denies.
import type { Authorizer, AuthorizerDecision, RequestAttributes, UserInfo } from '../authorizer.js';
import type { AppliedBinding, RbacIndex } from './rbac-index.js';
import { firstAllowingRule } from './rule-match.js';
import type { Subject } from './types.js';

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind !== 'ServiceAccount') return `${s.kind} "${s.name}"`;
  return `ServiceAccount "${s.namespace !== undefined && s.namespace !== '' ? s.namespace : bindingNamespace}/${s.name}"`;
}

function describeBinding(b: AppliedBinding): string {
  const ref = b.binding.roleRef;
  const name = b.kind === 'RoleBinding' ? `${b.binding.metadata.namespace ?? ''}/${b.binding.metadata.name}` : b.binding.metadata.name;
  return `${b.kind} "${name}" of ${ref.kind} "${ref.name}" to ${describeSubject(b.subject, b.binding.metadata.namespace ?? '')}`;
}

export class RbacAuthorizer implements Authorizer {
  constructor(private readonly index: RbacIndex) {}

  authorize(user: UserInfo, attrs: RequestAttributes): AuthorizerDecision {
    // Non-resource URLs are granted by ClusterRoleBindings only (namespace "").
    const namespace = attrs.kind === 'resource' ? attrs.namespace : '';
    const applied = this.index.bindingsFor(user, namespace);
    const errors: string[] = [];
    for (const b of applied) {
      const ns = b.kind === 'RoleBinding' ? (b.binding.metadata.namespace ?? '') : '';
      const role = this.index.resolve(b.binding.roleRef, ns);
      if (!role.found) {
        errors.push(role.error);
        continue;
      }
      if (firstAllowingRule(role.rules, attrs) >= 0) return { decision: 'allow', reason: `RBAC: allowed by ${describeBinding(b)}` };
    }
    const none = applied.length === 0 ? 'no RBAC binding applies to the user or its groups' : `none of the ${applied.length} RBAC binding(s) that apply to the user grants it`;
    return { decision: 'no-opinion', reason: errors.length === 0 ? none : `${none} (${errors.join(', ')})` };
  }
}
