// The audit log's seam: each finished request (AuditRecord from the API service) becomes one
// AuditEvent line through the AuditWriter. Denied (PERMISSION_DENIED) and unauthenticated
// requests are logged like the others, with allowed=false and the refusal as the reason.
import type { Logger } from 'pino';
import type { AuditRecord, AuditSink } from '../api-service.js';
import { Code, CODE_NAMES } from '../errors.js';
import type { KindLookup } from '../kinds.js';
import type { AuditEvent } from '../security/index.js';

const REFUSED = new Set([CODE_NAMES[Code.UNAUTHENTICATED], CODE_NAMES[Code.PERMISSION_DENIED]]);
const CODES: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(CODE_NAMES).map(([n, name]) => [name, Number(n)]));

/** The audit line's fields for one request record (pure). */
export function auditEventOf(r: AuditRecord, o: { readonly kinds: KindLookup; readonly time: Date; readonly requestId: string }): AuditEvent {
  const t = r.target;
  const allowed = !REFUSED.has(r.code);
  return {
    time: o.time,
    requestId: o.requestId,
    user: r.user?.name ?? '',
    groups: r.user?.groups ?? [],
    verb: t.verb,
    apiGroup: o.kinds.byResource(t.resource)?.group ?? '',
    resource: t.resource,
    subresource: t.subresource ?? '',
    namespace: t.namespace,
    name: t.name !== undefined && t.name !== '' ? t.name : (t.createName ?? ''),
    allowed,
    reason: allowed ? '' : r.message,
    code: CODES[r.code] ?? Code.UNKNOWN,
    latencyMs: r.latencyMs,
    sourceAddress: r.peer,
  };
}

/** An AuditSink writing through `record` (AuditWriter#record); a failed write is logged, never fails the request. */
export function auditSink(record: (e: AuditEvent) => Promise<void>, o: { readonly kinds: KindLookup; readonly now: () => Date; readonly uuid: () => string; readonly log: Logger }): AuditSink {
  return (r) => {
    record(auditEventOf(r, { kinds: o.kinds, time: o.now(), requestId: o.uuid() })).catch((e: unknown) => o.log.error({ err: (e as Error).message }, 'audit line not written'));
  };
}
