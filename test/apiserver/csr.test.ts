// The CSR API (contract C4) against an in-process API server whose signing CA is loaded from
// files: a bootstrapper gets a node certificate at create, a node renews its own, anything else
// stays pending until an admin approves (then it is signed) or denies it; requester fields
// cannot be forged; only the server writes status.certificate. The caller is set per request
// through the authenticator option (real authentication is another module's job).
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { certificateSigningRequestKind, CLIENT_SIGNER, csrConditionText, KUBELET_CLIENT_SIGNER } from '../../api/index.js';
import type { CertificateSigningRequest } from '../../api/index.js';
import { decideAutoApproval, loadCsrSigner } from '../../control-plane/apiserver/index.js';
import type { UserInfo } from '../../control-plane/apiserver/index.js';
import { createCa, createCsr, pkiLayout, writeIssued } from '../../control-plane/pki/index.js';
import type { PkiDeps } from '../../control-plane/pki/index.js';
import { failure } from './helpers/api-conn.js';
import type { Obj } from './helpers/api-conn.js';
import { startInProcess } from './helpers/in-process-server.js';

const deps: PkiDeps = { now: () => new Date(), randomBytes: (n) => randomBytes(n) };
const RES = 'certificatesigningrequests';
const BOOTSTRAPPER: UserInfo = { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:shoal:default-node-token', 'system:authenticated'] };
const NODE_1: UserInfo = { name: 'system:node:pi-1', groups: ['system:nodes', 'system:authenticated'] };
const ADMIN: UserInfo = { name: 'shoal-admin', groups: ['system:masters', 'system:authenticated'] };

async function csrBody(name: string, subject: { commonName: string; organizations?: string[] }, extra: Record<string, unknown> = {}): Promise<Obj> {
  const { csrPem } = await createCsr(subject);
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName: KUBELET_CLIENT_SIGNER, usages: ['digital signature', 'client auth'], ...extra },
  };
}

const status = (o: Obj): { conditions?: { type: string; status: string; reason?: string; message?: string }[]; certificate?: string } =>
  (o.status ?? {}) as ReturnType<typeof status>;
const certOf = (o: Obj): X509Certificate => new X509Certificate(Buffer.from(status(o).certificate ?? '', 'base64').toString('utf8'));

t.test('csr - decideAutoApproval follows C4', async (t) => {
  const node = (n: string) => ({ commonName: `system:node:${n}`, organizations: ['system:nodes'], others: [] });
  const usages = ['digital signature', 'client auth'];
  const cases: [string, UserInfo, { signerName: string; usages: string[]; subject: ReturnType<typeof node> }, boolean][] = [
    ['bootstrapper, new node', BOOTSTRAPPER, { signerName: KUBELET_CLIENT_SIGNER, usages, subject: node('pi-9') }, true],
    ['node renews itself', NODE_1, { signerName: KUBELET_CLIENT_SIGNER, usages, subject: node('pi-1') }, true],
    ['node asks for another node', NODE_1, { signerName: KUBELET_CLIENT_SIGNER, usages, subject: node('pi-2') }, false],
    ['bootstrapper asks for admin', BOOTSTRAPPER, { signerName: KUBELET_CLIENT_SIGNER, usages, subject: { commonName: 'admin', organizations: ['system:masters'], others: [] } }, false],
    ['bootstrapper, wrong signer', BOOTSTRAPPER, { signerName: CLIENT_SIGNER, usages, subject: node('pi-9') }, false],
    ['bootstrapper, server auth usage', BOOTSTRAPPER, { signerName: KUBELET_CLIENT_SIGNER, usages: ['server auth', 'client auth'], subject: node('pi-9') }, false],
    ['an admin is not auto-approved', ADMIN, { signerName: KUBELET_CLIENT_SIGNER, usages, subject: node('pi-9') }, false],
  ];
  for (const [what, user, csr, want] of cases) t.equal(decideAutoApproval(user, csr).approve, want, what);
});

t.test('csr - the API server signs, keeps pending, approves and denies', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-csr-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await createCa({}, deps);
  const layout = pkiLayout(dir);
  await writeIssued(layout.pairs.ca, ca);
  const signer = await loadCsrSigner({ certFile: layout.pairs.ca.cert, keyFile: layout.pairs.ca.key }, deps);
  let caller: UserInfo = BOOTSTRAPPER;
  const { conn } = await startInProcess(t, { options: { csrSigner: signer, authenticator: { authenticate: () => Promise.resolve(caller) } } });
  const caCert = new X509Certificate(ca.certPem);
  const as = (u: UserInfo): void => void (caller = u);

  await t.test('a bootstrapper gets a node certificate at create, requester fields not forgeable', async (t) => {
    as(BOOTSTRAPPER);
    const body = await csrBody('node-pi-1', { commonName: 'system:node:pi-1', organizations: ['system:nodes'] }, { username: 'shoal-admin', groups: ['system:masters'], uid: 'forged' });
    const created = await conn.create(RES, '', body);
    const spec = created.spec as { username: string; groups: string[]; uid?: string };
    t.equal(spec.username, BOOTSTRAPPER.name, 'username is the requester, not what the client sent');
    t.same(spec.groups, BOOTSTRAPPER.groups);
    t.equal(spec.uid, undefined, 'a forged uid is dropped');
    t.match(status(created).conditions, [{ type: 'Approved', status: 'True', reason: 'AutoApproved' }]);
    const cert = certOf(created);
    t.equal(cert.subject, 'CN=system:node:pi-1\nO=system:nodes');
    t.ok(cert.checkIssued(caCert) && cert.verify(caCert.publicKey), 'chains to the cluster CA');
    t.ok(new Date(cert.validFrom).getTime() < Date.now() - 30 * 60_000, 'notBefore is backdated (clock skew)');
    const stored = await conn.get(RES, '', 'node-pi-1');
    t.equal(status(stored).certificate, status(created).certificate, 'the certificate is stored');
    t.equal(csrConditionText(certificateSigningRequestKind.schema.parse(stored) as CertificateSigningRequest), 'Approved,Issued');
  });

  await t.test('expirationSeconds bounds the certificate', async (t) => {
    as(BOOTSTRAPPER);
    const created = await conn.create(RES, '', await csrBody('node-pi-5', { commonName: 'system:node:pi-5', organizations: ['system:nodes'] }, { expirationSeconds: 3600 }));
    const left = new Date(certOf(created).validTo).getTime() - Date.now();
    t.ok(left > 50 * 60_000 && left <= 3600_000, `valid about an hour (${left} ms left)`);
  });

  await t.test('a node renews its own certificate, not another node\'s', async (t) => {
    as(NODE_1);
    const renewed = await conn.create(RES, '', await csrBody('node-pi-1-renew', { commonName: 'system:node:pi-1', organizations: ['system:nodes'] }));
    t.equal(certOf(renewed).subject, 'CN=system:node:pi-1\nO=system:nodes');
    const other = await conn.create(RES, '', await csrBody('node-pi-2-by-pi-1', { commonName: 'system:node:pi-2', organizations: ['system:nodes'] }));
    t.same(status(other), {}, 'pending: no condition, no certificate');
  });

  await t.test('another identity stays pending; an admin approves (signed) or denies it', async (t) => {
    as(BOOTSTRAPPER);
    const admin = await conn.create(RES, '', await csrBody('wants-admin', { commonName: 'admin', organizations: ['system:masters'] }));
    t.same(status(admin), {}, 'a bootstrapper asking for admin stays pending');
    const alice = await conn.create(RES, '', await csrBody('alice', { commonName: 'alice', organizations: ['dev'] }, { signerName: CLIENT_SIGNER }));
    t.same(status(alice), {});

    as(ADMIN);
    const approve = (o: Obj, type: string): Obj => ({ ...o, status: { conditions: [...(status(o).conditions ?? []), { type, status: 'True', reason: 'AdminApproval', message: 'by test' }] } });
    const approved = await conn.update(RES, '', approve(alice, 'Approved'), { subresource: 'approval' });
    t.equal(certOf(approved).subject, 'CN=alice\nO=dev', 'signed once approved');

    const masters = await conn.update(RES, '', approve(admin, 'Approved'), { subresource: 'approval' });
    t.equal(status(masters).certificate, undefined, 'a system:masters subject is never signed');
    t.match(status(masters).conditions, [{ type: 'Approved' }, { type: 'Failed', reason: 'SignerValidationFailure' }]);

    as(BOOTSTRAPPER);
    const bob = await conn.create(RES, '', await csrBody('bob', { commonName: 'bob' }, { signerName: CLIENT_SIGNER }));
    as(ADMIN);
    const denied = await conn.update(RES, '', approve(bob, 'Denied'), { subresource: 'approval' });
    t.equal(status(denied).certificate, undefined);
    t.match(status(denied).conditions, [{ type: 'Denied', status: 'True' }]);
    const both = await failure(conn.update(RES, '', approve(denied, 'Approved'), { subresource: 'approval' }));
    t.match(both.details, /cannot be both Approved and Denied/);
    const undo = await failure(conn.update(RES, '', { ...denied, status: { conditions: [] } }, { subresource: 'approval' }));
    t.match(undo.details, /Denied condition cannot be removed/);
  });

  await t.test('only the server writes the certificate; the spec is immutable', async (t) => {
    as(ADMIN);
    const own = await csrBody('self-made', { commonName: 'mallory' }, { signerName: CLIENT_SIGNER });
    const created = await conn.create(RES, '', { ...own, status: { certificate: Buffer.from('x').toString('base64') } });
    t.same(status(created), {}, 'status sent at create is dropped');
    const viaStatus = await failure(conn.update(RES, '', { ...created, status: { certificate: Buffer.from('x').toString('base64') } }, { subresource: 'status' }));
    t.match(viaStatus.details, /status\.certificate: Forbidden/);
    const approvedViaStatus = await failure(conn.update(RES, '', { ...created, status: { conditions: [{ type: 'Approved', status: 'True' }] } }, { subresource: 'status' }));
    t.match(approvedViaStatus.details, /approval subresource/);
    const spec = created.spec as Record<string, unknown>;
    const changed = await failure(conn.update(RES, '', { ...created, spec: { ...spec, username: 'someone-else' } }));
    t.match(changed.details, /spec: Invalid value.*immutable/);
  });

  await t.test('a request that is not a valid CSR is refused at create', async (t) => {
    as(BOOTSTRAPPER);
    const body = await csrBody('garbage', { commonName: 'system:node:pi-3', organizations: ['system:nodes'] });
    const bad = await failure(conn.create(RES, '', { ...body, spec: { ...(body.spec as object), request: Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n').toString('base64') } }));
    t.equal(bad.code, 3);
    t.match(bad.causes, [{ field: 'spec.request' }]);
    t.notMatch(bad.details, /AAAA/, 'the request is not echoed');
  });
});

t.test('csr - without a signing CA an auto-approved request fails clearly', async (t) => {
  const { conn } = await startInProcess(t, { options: { authenticator: { authenticate: () => Promise.resolve(BOOTSTRAPPER) } } });
  const created = await conn.create(RES, '', await csrBody('node-pi-4', { commonName: 'system:node:pi-4', organizations: ['system:nodes'] }));
  t.match(status(created).conditions, [{ type: 'Approved' }, { type: 'Failed', reason: 'SignerUnavailable', message: /--api-cluster-signing-cert-file/ }]);
  t.equal(status(created).certificate, undefined);
});
