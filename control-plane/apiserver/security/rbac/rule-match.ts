// Does one PolicyRule cover one request? Kubernetes' rbac/v1 helpers, rule for rule:
// "*" matches any verb, group, resource (with or without a subresource) or URL;
// "*/status" matches the status subresource of any resource; "pods" does not match "pods/status";
// resourceNames, when present, require a named request (lists and creates of a collection never match).
import type { NonResourceRequest, RequestAttributes, ResourceRequest } from '../authorizer.js';
import { combinedResource } from '../authorizer.js';
import type { PolicyRule } from './types.js';

const ALL = '*';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === ALL || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === ALL || r === combined) return true;
    if (subresource !== '' && r === `*/${subresource}`) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === ALL || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function resourceRuleAllows(rule: PolicyRule, attrs: ResourceRequest): boolean {
  return (
    verbMatches(rule, attrs.verb) &&
    apiGroupMatches(rule, attrs.apiGroup) &&
    resourceMatches(rule, combinedResource(attrs), attrs.subresource) &&
    resourceNameMatches(rule, attrs.name)
  );
}

export function nonResourceRuleAllows(rule: PolicyRule, attrs: NonResourceRequest): boolean {
  return verbMatches(rule, attrs.verb) && nonResourceURLMatches(rule, attrs.path);
}

export function ruleAllows(rule: PolicyRule, attrs: RequestAttributes): boolean {
  return attrs.kind === 'resource' ? resourceRuleAllows(rule, attrs) : nonResourceRuleAllows(rule, attrs);
}

/** Index of the first rule that allows the request, or -1. */
export function firstAllowingRule(rules: readonly PolicyRule[], attrs: RequestAttributes): number {
  return rules.findIndex((r) => ruleAllows(r, attrs));
}
