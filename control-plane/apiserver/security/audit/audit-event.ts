// One audit record per request, and its line in the log. The record holds request metadata
// only: who, what, where, the decision and the outcome. There is no field for an object body,
// headers or credentials, and auditLine() copies the known fields by name, so a caller that
// passes a bigger object (a request with its body or token) still logs metadata alone.
// Strings are capped so one request cannot write a huge line.
import type { Decision, RequestAttributes, ResourceFields, UserInfo } from '../authorizer.js';

/** Verb, apiGroup, resource, subresource, namespace, name as authorization saw them (all "" for a non-resource request but verb, with the path as name). */
export interface AuditEvent extends ResourceFields {
  readonly time: Date;
  readonly user: string;
  readonly groups: readonly string[];
  readonly allowed: boolean;
  /** Why it was allowed or denied (authorizer reason, or the authentication refusal). */
  readonly reason: string;
  /** gRPC status code of the answer. */
  readonly code: number;
  readonly latencyMs: number;
  readonly sourceAddress: string;
  readonly requestId: string;
}

export const MAX_FIELD_CHARS = 1024;

const cap = (s: string): string => (s.length <= MAX_FIELD_CHARS ? s : `${s.slice(0, MAX_FIELD_CHARS)}…(${s.length - MAX_FIELD_CHARS} more)`);

/** The JSON line (with its "\n") for an event; keys in a fixed order. */
export function auditLine(e: AuditEvent): string {
  const line = {
    time: e.time.toISOString(),
    requestId: cap(String(e.requestId)),
    user: cap(String(e.user)),
    groups: e.groups.slice(0, 64).map((g) => cap(String(g))),
    verb: cap(String(e.verb)),
    apiGroup: cap(String(e.apiGroup)),
    resource: cap(String(e.resource)),
    subresource: cap(String(e.subresource)),
    namespace: cap(String(e.namespace)),
    name: cap(String(e.name)),
    allowed: e.allowed === true,
    reason: cap(String(e.reason)),
    code: Number(e.code),
    latencyMs: Math.round(Number(e.latencyMs) * 1000) / 1000,
    sourceAddress: cap(String(e.sourceAddress)),
  };
  // JSON.stringify escapes newlines, so a line is always one line.
  return `${JSON.stringify(line)}\n`;
}

/**
 * The event for a request as the pipeline saw it. A non-resource request is logged with its
 * path as the name; an unauthenticated one with user "" (and the refusal as the reason).
 */
export function auditEvent(r: {
  readonly time: Date;
  readonly user: UserInfo | undefined;
  readonly attrs: RequestAttributes;
  readonly decision: Decision;
  readonly code: number;
  readonly latencyMs: number;
  readonly sourceAddress: string;
  readonly requestId: string;
}): AuditEvent {
  const a = r.attrs;
  const fields: ResourceFields =
    a.kind === 'resource'
      ? { verb: a.verb, apiGroup: a.apiGroup, resource: a.resource, subresource: a.subresource, namespace: a.namespace, name: a.name }
      : { verb: a.verb, apiGroup: '', resource: '', subresource: '', namespace: '', name: a.path };
  return {
    time: r.time,
    user: r.user?.name ?? '',
    groups: r.user?.groups ?? [],
    ...fields,
    allowed: r.decision.allowed,
    reason: r.decision.reason,
    code: r.code,
    latencyMs: r.latencyMs,
    sourceAddress: r.sourceAddress,
    requestId: r.requestId,
  };
}
