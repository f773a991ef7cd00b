// Authenticators: bearer parsing, bootstrap tokens, service-account tokens, client certificates.
import { execFileSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { SecretLike } from '../../../control-plane/apiserver/security/index.js';
import {
  authenticateBootstrapToken,
  authenticateRequest,
  authenticateServiceAccountToken,
  bootstrapTokenSecret,
  certificateIdentity,
  describeBootstrapToken,
  generateBootstrapToken,
  issueServiceAccountToken,
  parseBearerToken,
  parseSubject,
  verifyClientCertificate,
} from '../../../control-plane/apiserver/security/index.js';
import { seededRng } from '../../support/random.js';
import { tempDir } from './fixtures.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const TOKEN = 'abcdef.0123456789abcdef';

t.test('bearer - parse the authorization header', async (t) => {
  t.same(parseBearerToken(undefined), { kind: 'none' });
  t.same(parseBearerToken([]), { kind: 'none' });
  t.same(parseBearerToken(['Bearer abc.def']), { kind: 'token', token: 'abc.def' });
  t.same(parseBearerToken('bearer   abc '), { kind: 'token', token: 'abc' }, 'scheme in any case, spaces trimmed');
  t.match(parseBearerToken(['Basic dXNlcjpwYXNz']), { kind: 'invalid', reason: /not "Bearer <token>"/ });
  t.match(parseBearerToken(['Bearer ']), { kind: 'invalid' });
  t.match(parseBearerToken(['Bearer a b']), { kind: 'invalid', reason: /characters a token cannot have/ });
  t.match(parseBearerToken(['Bearer a', 'Bearer b']), { kind: 'invalid', reason: /2 authorization headers/ });
});

t.test('bootstrap token - valid, expired, deleted, wrong secret, wrong type, no auth usage', async (t) => {
  const secrets = new Map<string, SecretLike>();
  const store = (s: SecretLike): void => void secrets.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
  const lookup = async (ns: string, name: string): Promise<SecretLike | undefined> => secrets.get(`${ns}/${name}`);
  const auth = (token: string, now = NOW) => authenticateBootstrapToken(token, { lookup, now });

  store(bootstrapTokenSecret({ token: TOKEN, expiration: '2026-12-05T12:00:00Z', extraGroups: ['system:bootstrappers:shoal:default-node-token'] }));
  t.same(await auth(TOKEN), {
    kind: 'authenticated',
    user: { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:shoal:default-node-token', 'system:authenticated'] },
  });
  t.same(await auth('not-a-bootstrap-token'), { kind: 'not-mine' });
  t.match(await auth('abcdef.ffffffffffffffff'), { kind: 'refused', reason: 'bootstrap token "abcdef": wrong token secret' });
  t.match(await auth(TOKEN, new Date('2026-12-05T12:00:00Z')), { kind: 'refused', reason: /expired at 2026-12-05T12:00:00Z/ }, 'expired exactly at expiration');
  t.match(await auth('zzzzzz.0123456789abcdef'), { kind: 'refused', reason: /no Secret kube-system\/bootstrap-token-zzzzzz/ });

  const base = bootstrapTokenSecret({ token: TOKEN });
  store({ ...base, type: 'Opaque' });
  t.match(await auth(TOKEN), { kind: 'refused', reason: /type "Opaque"/ });
  store({ ...base, data: { ...base.data, 'usage-bootstrap-authentication': Buffer.from('false').toString('base64') } });
  t.match(await auth(TOKEN), { kind: 'refused', reason: /not usable for authentication/ });
  store({ ...base, data: { ...base.data, 'auth-extra-groups': Buffer.from('system:masters').toString('base64') } });
  t.match(await auth(TOKEN), { kind: 'refused', reason: /auth-extra-groups has "system:masters"/ }, 'a token cannot grant itself system:masters');
  store({ ...base, metadata: { ...base.metadata, deletionTimestamp: NOW.toISOString() } });
  t.match(await auth(TOKEN), { kind: 'refused', reason: /being deleted/ });
  store(base);
  t.equal((await auth(TOKEN)).kind, 'authenticated', 'no expiration: valid');
  secrets.clear();
  t.match(await auth(TOKEN), { kind: 'refused', reason: /deleted or never created/ }, 'deleting the Secret revokes the token');

  for (const r of [await auth('abcdef.ffffffffffffffff')]) t.notMatch(JSON.stringify(r), /ffffffffffffffff|0123456789abcdef/, 'reasons carry no secret');
});

t.test('bootstrap token - generation and the Secret it is stored in', async (t) => {
  const rng = seededRng(3);
  const random = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));
  const tok = generateBootstrapToken(random);
  t.match(tok, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  t.not(generateBootstrapToken(random), tok);
  const s = bootstrapTokenSecret({ token: tok, description: 'join' });
  t.equal(s.metadata.name, `bootstrap-token-${tok.slice(0, 6)}`);
  t.equal(s.type, 'bootstrap.kubernetes.io/token');
  t.equal(Buffer.from(s.data!['token-secret']!, 'base64').toString(), tok.slice(7));
  t.same(describeBootstrapToken(bootstrapTokenSecret({ token: TOKEN, expiration: '2026-12-04T11:00:00Z', extraGroups: ['system:bootstrappers:x'], description: 'join' }), NOW), {
    id: 'abcdef',
    expires: '2026-12-04T11:00:00Z',
    expired: true,
    usages: ['authentication', 'signing'],
    extraGroups: ['system:bootstrappers:x'],
    description: 'join',
  });
  t.notMatch(JSON.stringify(describeBootstrapToken(s, NOW)), new RegExp(tok.slice(7)), 'a summary never shows the secret');
  t.equal(describeBootstrapToken({ metadata: { name: 'x' }, type: 'Opaque' }, NOW), undefined);
  t.throws(() => bootstrapTokenSecret({ token: 'short.x' }), /6 then 16 characters/);
  t.throws(() => bootstrapTokenSecret({ token: TOKEN, extraGroups: ['admins'] }), /must start with "system:bootstrappers:"/);
});

t.test('service-account token - valid, expired, wrong key, deleted, recreated with a new uid', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuer = 'https://shoal.cluster.local';
  const accounts = new Map<string, string>([['team-a/ci', 'uid-1']]);
  const lookup = (ns: string, name: string): { uid: string } | undefined => {
    const uid = accounts.get(`${ns}/${name}`);
    return uid === undefined ? undefined : { uid };
  };
  const issue = (o: Partial<{ privateKey: typeof privateKey; publicKey: typeof publicKey; uid: string; audiences: string[] }> = {}) =>
    issueServiceAccountToken(
      { namespace: 'team-a', name: 'ci', uid: o.uid ?? 'uid-1' },
      { privateKey: o.privateKey ?? privateKey, publicKey: o.publicKey ?? publicKey, algorithm: 'ES256', issuer, audiences: o.audiences ?? ['shoal'], now: NOW, expirationSeconds: 3600, jti: 'jti-1' },
    );
  const verify = (token: string, now = NOW, publicKeys = [publicKey]) => authenticateServiceAccountToken(token, { publicKeys, issuer, audiences: ['shoal'], now, lookup });

  const token = await issue();
  t.same(await verify(token), {
    kind: 'authenticated',
    user: {
      name: 'system:serviceaccount:team-a:ci',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'],
      uid: 'uid-1',
      serviceAccount: { namespace: 'team-a', name: 'ci', uid: 'uid-1' },
      extra: { 'authentication.kubernetes.io/credential-id': ['JTI=jti-1'] },
    },
  });
  t.equal((await verify(token, new Date(NOW.getTime() + 3599_000))).kind, 'authenticated', 'valid until exp');
  t.match(await verify(token, new Date(NOW.getTime() + 3600_000)), { kind: 'refused', reason: /expired at 2026-12-04T13:00:00.000Z/ });
  t.match(await verify(token, NOW, [other.publicKey]), { kind: 'refused', reason: /signature does not verify/ });
  t.equal((await verify(token, NOW, [other.publicKey, publicKey])).kind, 'authenticated', 'any configured key (rotation)');
  t.match(await verify(await issue({ privateKey: other.privateKey })), { kind: 'refused', reason: /signature does not verify/ }, 'signed by a key the cluster does not trust');
  t.match(await verify(await issue({ audiences: ['elsewhere'] })), { kind: 'refused', reason: /claim "aud"/ });

  const tampered = token.split('.');
  const claims = JSON.parse(Buffer.from(tampered[1]!, 'base64url').toString()) as Record<string, unknown>;
  tampered[1] = Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
  t.match(await verify(tampered.join('.')), { kind: 'refused', reason: /signature/ }, 'edited claims fail the signature');

  accounts.delete('team-a/ci');
  t.match(await verify(token), { kind: 'refused', reason: /service account team-a\/ci no longer exists/ }, 'deleted');
  accounts.set('team-a/ci', 'uid-2');
  t.match(await verify(token), { kind: 'refused', reason: /was recreated \(token is for uid uid-1, it now has uid uid-2\)/ }, 'recreated');
  t.equal((await verify(await issue({ uid: 'uid-2' }))).kind, 'authenticated', 'a token for the new account works');

  t.same(await verify('abcdef.0123456789abcdef'), { kind: 'not-mine' }, 'a bootstrap token is not a JWT');
  const foreign = await issueServiceAccountToken(
    { namespace: 'x', name: 'y', uid: 'u' },
    { privateKey, publicKey, algorithm: 'ES256', issuer: 'https://oidc.example', audiences: ['shoal'], now: NOW, expirationSeconds: 60, jti: 'j' },
  );
  t.same(await verify(foreign), { kind: 'not-mine' }, 'another issuer is for another authenticator');
});

t.test('client certificate - CN is the user, O the groups', async (t) => {
  t.same(certificateIdentity({ subject: { CN: 'alice', O: ['system:masters', 'devs'] } }), {
    kind: 'authenticated',
    user: { name: 'alice', groups: ['system:masters', 'devs', 'system:authenticated'] },
  });
  t.same(certificateIdentity({ subject: { CN: 'system:node:n1', O: 'system:nodes' } }), {
    kind: 'authenticated',
    user: { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] },
  });
  t.match(certificateIdentity({ subject: { O: 'x' } }), { kind: 'refused', reason: /exactly one non-empty CN/ });
  t.same([...parseSubject('O=system:masters\nO=dev\\,ops\nOU=u + CN=alice=x\nL=caf\\C3\\A9')], [
    ['O', ['system:masters', 'dev,ops']],
    ['OU', ['u']],
    ['CN', ['alice=x']],
    ['L', ['café']],
  ]);
});

t.test('client certificate - real certificates from openssl: identity, CA check, validity', async (t) => {
  const dir = tempDir(t);
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=shoal-ca');
  ssl('req', '-x509', ...ec, '-keyout', 'evil.key', '-out', 'evil.crt', '-days', '2', '-subj', '/CN=shoal-ca');
  ssl('req', ...ec, '-keyout', 'alice.key', '-out', 'alice.csr', '-subj', '/O=system:masters/O=dev\\,ops/CN=alice');
  ssl('x509', '-req', '-in', 'alice.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'alice.crt', '-days', '1');
  ssl('x509', '-req', '-in', 'alice.csr', '-CA', 'evil.crt', '-CAkey', 'evil.key', '-CAcreateserial', '-out', 'forged.crt', '-days', '1');
  const pem = readFileSync(join(dir, 'alice.crt'), 'utf8');
  const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
  const expected = { kind: 'authenticated', user: { name: 'alice', groups: ['system:masters', 'dev,ops', 'system:authenticated'] } };
  t.same(certificateIdentity(pem), expected, 'from PEM');
  t.same(certificateIdentity(new X509Certificate(pem).raw), expected, 'from DER');
  const now = new Date();
  t.equal(verifyClientCertificate(pem, [ca], now), undefined, 'signed by the CA, valid now');
  t.match(verifyClientCertificate(readFileSync(join(dir, 'forged.crt')), [ca], now), /not signed by the cluster CA/, 'same CA name, other key');
  t.match(verifyClientCertificate(pem, [ca], new Date(now.getTime() + 3 * 86400_000)), /expired at/);
  t.match(verifyClientCertificate(pem, [ca], new Date(now.getTime() - 86400_000)), /not valid before/);
  t.equal(verifyClientCertificate(pem, [ca], new Date(now.getTime() - 86400_000), 2 * 86400), undefined, 'within the clock-skew tolerance');
});

t.test('request authenticator - certificate first, then token authenticators in order', async (t) => {
  const calls: string[] = [];
  const claims = (name: string, prefix: string) => async (token: string) => {
    calls.push(name);
    return token.startsWith(prefix) ? ({ kind: 'authenticated', user: { name, groups: [] } } as const) : ({ kind: 'not-mine' } as const);
  };
  const chain = [claims('first', 'a'), claims('second', 'b')];
  t.same(await authenticateRequest({}, chain), { kind: 'not-mine' }, 'no credentials');
  t.match(await authenticateRequest({ authorization: ['Bearer b1'] }, chain), { kind: 'authenticated', user: { name: 'second' } });
  t.same(calls, ['first', 'second']);
  t.match(await authenticateRequest({ authorization: ['Bearer c1'] }, chain), { kind: 'refused', reason: /not a bootstrap or service-account token/ });
  t.match(await authenticateRequest({ authorization: ['Basic x'] }, chain), { kind: 'refused' });
  t.match(await authenticateRequest({ authorization: ['Bearer a1'], peerCertificate: { subject: { CN: 'carol' } } }, chain), { kind: 'authenticated', user: { name: 'carol' } }, 'certificate wins');
  t.match(await authenticateRequest({ peerCertificate: { subject: {} } }, chain), { kind: 'refused', reason: /CN/ });
});
