// The audit log: lines, rotation by size, file modes, bounded buffering, nothing lost on close.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { AuditEvent } from '../../../control-plane/apiserver/security/index.js';
import { AuditWriter, auditEvent, auditLine, resourceRequest } from '../../../control-plane/apiserver/security/index.js';
import { tempDir } from './fixtures.js';

const event = (i: number, over: Partial<AuditEvent> = {}): AuditEvent => ({
  time: new Date(Date.UTC(2026, 11, 4, 12, 0, 0, i)),
  user: 'alice',
  groups: ['devs', 'system:authenticated'],
  verb: 'get',
  apiGroup: '',
  resource: 'secrets',
  subresource: '',
  namespace: 'default',
  name: `s${i}`,
  allowed: i % 2 === 0,
  reason: i % 2 === 0 ? 'RBAC: allowed by RoleBinding "default/x" of Role "r" to User "alice"' : 'no RBAC binding applies',
  code: i % 2 === 0 ? 0 : 7,
  latencyMs: 1.2345,
  sourceAddress: '127.0.0.1:50000',
  requestId: `req-${i}`,
  ...over,
});

/** Every line of audit.log.N .. audit.log.1, audit.log, oldest first, parsed. */
function readAll(path: string, backups: number): Record<string, unknown>[] {
  const files = [...Array.from({ length: backups }, (_, i) => `${path}.${backups - i}`), path];
  return files.flatMap((f) => {
    try {
      return readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    } catch {
      return [];
    }
  });
}

t.test('audit - one JSON line of metadata, never a body or a token', async (t) => {
  const withExtras = { ...event(0), body: { data: { password: 'aHVudGVy' } }, authorization: 'Bearer abcdef.0123456789abcdef' } as AuditEvent;
  const line = auditLine(withExtras);
  t.ok(line.endsWith('\n') && line.indexOf('\n') === line.length - 1, 'one line');
  t.same(JSON.parse(line), {
    time: '2026-12-04T12:00:00.000Z',
    requestId: 'req-0',
    user: 'alice',
    groups: ['devs', 'system:authenticated'],
    verb: 'get',
    apiGroup: '',
    resource: 'secrets',
    subresource: '',
    namespace: 'default',
    name: 's0',
    allowed: true,
    reason: 'RBAC: allowed by RoleBinding "default/x" of Role "r" to User "alice"',
    code: 0,
    latencyMs: 1.235,
    sourceAddress: '127.0.0.1:50000',
  });
  t.notMatch(line, /password|aHVudGVy|Bearer|0123456789abcdef/);
  const evil = auditLine(event(1, { name: 'a\nb', user: 'x'.repeat(5000) }));
  t.equal(evil.split('\n').length, 2, 'a newline in a name stays escaped');
  t.ok(evil.length < 2000, 'long strings are capped');
});

t.test('audit - an event from the pipeline\'s view of a request', async (t) => {
  const common = { time: new Date(0), code: 7, latencyMs: 2, sourceAddress: '127.0.0.1:1', requestId: 'r' };
  t.match(
    auditEvent({ ...common, user: { name: 'bob', groups: ['devs'] }, attrs: resourceRequest({ verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'ns', name: 'web' }), decision: { allowed: false, reason: 'nope' } }),
    { user: 'bob', groups: ['devs'], verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'ns', name: 'web', allowed: false, reason: 'nope', code: 7 },
  );
  t.match(auditEvent({ ...common, user: undefined, attrs: { kind: 'nonResource', verb: 'get', path: '/version' }, decision: { allowed: false, reason: 'no credentials' } }), {
    user: '',
    groups: [],
    resource: '',
    name: '/version',
    reason: 'no credentials',
  });
});

t.test('audit - rotation by size keeps N files of 0600, each under maxBytes, newest lines kept in order', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'logs', 'audit.log');
  const w = await AuditWriter.open({ path, maxBytes: 2000, maxBackups: 3 });
  const lineBytes = Buffer.byteLength(auditLine(event(10)));
  for (let i = 0; i < 100; i++) await w.record(event(i));
  await w.close();
  t.same(readdirSync(join(dir, 'logs')).sort(), ['audit.log', 'audit.log.1', 'audit.log.2', 'audit.log.3']);
  for (const f of readdirSync(join(dir, 'logs'))) {
    const st = statSync(join(dir, 'logs', f));
    t.equal(st.mode & 0o777, 0o600, `${f} is 0600`);
    t.ok(st.size <= 2000, `${f} is ${st.size} bytes, within maxBytes`);
  }
  const lines = readAll(path, 3);
  const perFile = Math.floor(2000 / lineBytes);
  t.ok(lines.length > 3 * perFile - 3 && lines.length < 100, `${lines.length} newest lines kept (${perFile} fit a file)`);
  const ids = lines.map((l) => l.requestId);
  t.same(ids, Array.from({ length: lines.length }, (_, i) => `req-${100 - lines.length + i}`), 'consecutive, ending with the last');
  t.match(w.stats(), { written: 100, dropped: 0, failed: 0, queued: 0 });
  t.ok(w.stats().rotations >= 4);
});

t.test('audit - an existing log is appended to and narrowed to 0600; maxBackups 0 keeps no old file', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'audit.log');
  writeFileSync(path, `${JSON.stringify({ requestId: 'old' })}\n`, { mode: 0o644 });
  const w = await AuditWriter.open({ path, maxBytes: 1000, maxBackups: 0 });
  t.equal(statSync(path).mode & 0o777, 0o600);
  await w.record(event(0));
  await w.flush();
  t.same(readAll(path, 0).map((l) => l.requestId), ['old', 'req-0']);
  for (let i = 1; i < 20; i++) await w.record(event(i));
  await w.close();
  t.same(readdirSync(dir), ['audit.log']);
  t.equal(readAll(path, 0).at(-1)?.requestId, 'req-19');
});

t.test('audit - a line larger than maxBytes gets a file of its own', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'audit.log');
  const w = await AuditWriter.open({ path, maxBytes: 100, maxBackups: 5 });
  for (let i = 0; i < 3; i++) await w.record(event(i));
  await w.close();
  t.same(readAll(path, 5).map((l) => l.requestId), ['req-0', 'req-1', 'req-2']);
  t.equal(readFileSync(path, 'utf8').split('\n').length, 2, 'one line per file');
});

t.test('audit - orderly close writes every queued line', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'audit.log');
  const w = await AuditWriter.open({ path, maxBytes: 1 << 20, maxBackups: 1, maxBufferedLines: 50 });
  const pending: Promise<void>[] = [];
  for (let i = 0; i < 1000; i++) pending.push(w.record(event(i)));
  t.ok(w.stats().queued > 50, 'more lines than the buffer holds are waiting (overflow "block")');
  await w.close();
  await Promise.all(pending);
  const ids = readAll(path, 1).map((l) => l.requestId);
  t.equal(ids.length, 1000);
  t.same(ids, Array.from({ length: 1000 }, (_, i) => `req-${i}`), 'in order');
  await t.rejects(w.record(event(1000)), { code: 'audit-closed' });
});

t.test('audit - overflow "drop" bounds the buffer, counts the loss and writes a note', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'audit.log');
  const w = await AuditWriter.open({ path, maxBytes: 1 << 20, maxBackups: 1, maxBufferedLines: 10, overflow: 'drop' });
  // The writer takes the first line at once; while it writes, 10 more fit and the rest drop.
  for (let i = 0; i < 100; i++) void w.record(event(i));
  t.equal(w.stats().dropped, 89);
  t.equal(w.stats().queued, 10);
  await w.flush();
  await w.record(event(100));
  await w.close();
  const lines = readAll(path, 1);
  t.same(lines.map((l) => l.requestId ?? `dropped ${String(l.dropped)}`), [...Array.from({ length: 11 }, (_, i) => `req-${i}`), 'dropped 89', 'req-100']);
});

t.test('audit - bad options are refused', async (t) => {
  const dir = tempDir(t);
  await t.rejects(AuditWriter.open({ path: join(dir, 'a.log'), maxBytes: 0, maxBackups: 1 }), /maxBytes must be positive/);
  await t.rejects(AuditWriter.open({ path: join(dir, 'a.log'), maxBytes: 10, maxBackups: -1 }), /maxBackups/);
});
