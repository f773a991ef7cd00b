// TLS flags are checked against the URLs and the files before anything starts: every mismatch
// is refused with a message naming the flag (and the process exits 2 with it).
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_TLS_FLAGS, loadConfig, loadTlsMaterial, urlDialer } from '../../control-plane/store/index.js';
import { createTestPki } from '../support/pki.js';
import { LAUNCHER, ROOT, run } from './helpers/store-cluster.js';

t.test('tls config - https URLs with their certificates', async (t) => {
  const pki = await createTestPki(t);
  const srv = await pki.serving('srv', { usage: 'peer' });
  const ca = pki.caPaths.cert;
  const c = loadConfig([
    '--listen-client-urls', 'https://127.0.0.1:2379',
    '--cert-file', srv.cert, '--key-file', srv.key, '--trusted-ca-file', ca, '--client-cert-auth',
    '--listen-peer-urls', 'https://127.0.0.1:2380',
    '--peer-cert-file', srv.cert, '--peer-key-file', srv.key, '--peer-trusted-ca-file', ca, '--peer-client-cert-auth=true',
  ]);
  t.same(c.listenClientUrls, ['https://127.0.0.1:2379']);
  t.same(c.advertiseClientUrls, ['https://127.0.0.1:2379']);
  t.same(c.initialCluster.get('default'), ['https://127.0.0.1:2380']);
  t.same(c.clientTls, { certFile: srv.cert, keyFile: srv.key, trustedCaFile: ca, clientCertAuth: true });
  t.same(c.peerTls, { certFile: srv.cert, keyFile: srv.key, trustedCaFile: ca, clientCertAuth: true });
  const plain = loadConfig([]);
  t.equal(plain.clientTls, undefined, 'http:// needs no TLS');
  t.equal(plain.peerTls, undefined);
  // serving over https without requiring client certificates is allowed (etcd allows it too)
  t.match(loadConfig(['--listen-client-urls', 'https://127.0.0.1:2379', '--cert-file', srv.cert, '--key-file', srv.key]).clientTls, { clientCertAuth: false, trustedCaFile: undefined });
});

t.test('tls config - mismatches are refused with the flag named', async (t) => {
  const pki = await createTestPki(t);
  const srv = await pki.serving('srv', { usage: 'peer' });
  const other = await pki.serving('other');
  const ca = pki.caPaths.cert;
  const garbage = join(pki.dir, 'garbage.pem');
  writeFileSync(garbage, 'not pem');
  const https = ['--listen-client-urls', 'https://127.0.0.1:2379'];
  const files = ['--cert-file', srv.cert, '--key-file', srv.key];
  const peerHttps = ['--listen-peer-urls', 'https://127.0.0.1:2380', '--peer-cert-file', srv.cert, '--peer-key-file', srv.key];
  const bad: [string[], RegExp][] = [
    [https, /--listen-client-urls has an https:\/\/ URL: --cert-file and --key-file are required/],
    [[...https, '--cert-file', srv.cert], /--cert-file and --key-file are required/],
    [['--cert-file', srv.cert, '--key-file', srv.key], /--cert-file, --key-file given, but no --listen-client-urls is https:\/\//],
    [['--client-cert-auth'], /--client-cert-auth given, but no --listen-client-urls is https/],
    [[...https, ...files, '--client-cert-auth'], /--client-cert-auth needs --trusted-ca-file/],
    [['--listen-client-urls', 'https://127.0.0.1:2379,http://127.0.0.1:22379', ...files, '--trusted-ca-file', ca, '--client-cert-auth'], /every --listen-client-urls must be https/],
    [[...https, ...files, '--advertise-client-urls', 'http://127.0.0.1:2379'], /--advertise-client-urls: http:\/\/127.0.0.1:2379 is http:\/\/, but no --listen-client-urls is http:\/\//],
    [[...https, '--cert-file', join(pki.dir, 'missing.crt'), '--key-file', srv.key], /--cert-file .*missing\.crt: cannot read it \(ENOENT\)/],
    [[...https, '--cert-file', garbage, '--key-file', srv.key], /--cert-file .*garbage\.pem: not a PEM certificate/],
    [[...https, '--cert-file', srv.cert, '--key-file', garbage], /--key-file .*garbage\.pem: not a PEM private key/],
    [[...https, '--cert-file', srv.cert, '--key-file', other.key], /--key-file .*other\.key is not the key of --cert-file/],
    [[...https, ...files, '--trusted-ca-file', garbage], /--trusted-ca-file .*: not a PEM certificate/],
    [['--listen-peer-urls', 'https://127.0.0.1:2380'], /--listen-peer-urls has an https:\/\/ URL: --peer-cert-file and --peer-key-file are required/],
    [['--peer-client-cert-auth'], /--peer-client-cert-auth given, but no --listen-peer-urls is https/],
    [[...peerHttps, '--peer-client-cert-auth'], /--peer-client-cert-auth needs --peer-trusted-ca-file/],
    [[...peerHttps, '--initial-advertise-peer-urls', 'http://127.0.0.1:2380'], /--initial-advertise-peer-urls: http:\/\/127.0.0.1:2380 is http:\/\/, but --listen-peer-urls is https:\/\//],
    [[...peerHttps, '--initial-cluster', 'default=https://127.0.0.1:2380,b=http://127.0.0.1:3380'], /--initial-cluster: http:\/\/127.0.0.1:3380 is http:\/\/, but --listen-peer-urls is https:\/\/ \(every peer is dialed the same way\)/],
    [['--listen-metrics-urls', 'https://127.0.0.1:9090'], /--listen-metrics-urls: .*plain http:\/\/ only/],
    [['--client-cert-auth=maybe'], /--client-cert-auth takes true or false/],
    [[...peerHttps.slice(0, 2), '--peer-cert-file', other.cert, '--peer-key-file', other.key, '--peer-trusted-ca-file', ca, '--peer-client-cert-auth'], /--peer-cert-file .*other\.crt: with --peer-client-cert-auth the peer certificate must allow clientAuth/],
  ];
  for (const [args, re] of bad) t.throws(() => loadConfig(args), { name: 'ConfigError', message: re }, args.join(' '));
  // the key's content is never quoted in an error
  const e = (() => {
    try {
      loadConfig([...https, '--cert-file', srv.cert, '--key-file', garbage]);
    } catch (err) {
      return (err as Error).message;
    }
    return '';
  })();
  t.notMatch(e, /not pem/, 'file contents are not echoed');
});

t.test('tls config - shoal-control-plane exits 2 naming the problem', async (t) => {
  const r = await run(process.execPath, [LAUNCHER, '--listen-client-urls', `https://127.0.0.1:2379`, '--data-dir', join(ROOT, 'never-created')], { timeoutMs: 30_000 });
  t.equal(r.code, 2);
  t.match(r.stderr, /--cert-file and --key-file are required/);
});

t.test('tls config - the dialer picks credentials by scheme and refuses https without a certificate', async (t) => {
  const pki = await createTestPki(t);
  const srv = await pki.serving('srv', { usage: 'peer' });
  const material = loadTlsMaterial({ certFile: srv.cert, keyFile: srv.key, trustedCaFile: pki.caPaths.cert, clientCertAuth: true }, CLIENT_TLS_FLAGS);
  const dial = urlDialer(material, CLIENT_TLS_FLAGS);
  t.equal(dial('http://127.0.0.1:1').address, '127.0.0.1:1');
  t.notOk(dial('http://127.0.0.1:1').credentials._isSecure(), 'http: in the clear');
  t.ok(dial('https://127.0.0.1:2').credentials._isSecure(), 'https: TLS');
  const none = urlDialer(undefined, CLIENT_TLS_FLAGS);
  t.throws(() => none('https://127.0.0.1:2'), { name: 'TlsError', message: /cannot dial https:\/\/127.0.0.1:2: this member has no --cert-file\/--key-file/ });
});
