// shoal-control-plane with every security flag, as init would start it: a store member on
// https:// with client-cert-auth, and its API server over TLS reaching that store with mTLS,
// encrypting secrets at rest and writing an audit log. etcdctl shows only ciphertext.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { addKey, EncryptingStorage, encryptedPrefixes, generateKey, newEncryptionConfig, renderEncryptionConfig, AESGCM_PREFIX } from '../../../control-plane/apiserver/security/index.js';
import { EtcdStorage } from '../../../control-plane/apiserver/storage/index.js';
import { createTestPki } from '../../support/pki.js';
import { freePort, LAUNCHER, run, StoreCluster } from '../../store/helpers/store-cluster.js';
import { ApiConn, failure } from '../helpers/api-conn.js';

const UNAUTHENTICATED = 16;

t.test('secured control plane process: API over TLS, store over mTLS, encryption, audit', { timeout: 150_000 }, async (t) => {
  const pki = await createTestPki(t);
  const dir = mkdtempSync(join(tmpdir(), 'shoal-secure-cp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const storeServer = await pki.serving('store-server', { usage: 'peer', ipAddresses: ['127.0.0.1'] });
  const storePeer = await pki.serving('store-peer', { usage: 'peer', ipAddresses: ['127.0.0.1'] });
  const apiServing = await pki.serving('apiserver', { ipAddresses: ['127.0.0.1'] });
  const apiStoreClient = await pki.client('apiserver-etcd-client', 'apiserver-etcd-client');
  const root = await pki.client('root', 'root');
  const admin = await pki.client('admin', 'admin', ['system:masters']);
  const ca = pki.caPaths.cert;
  const encryption = join(dir, 'encryption.yaml');
  const config1 = newEncryptionConfig('key1');
  writeFileSync(encryption, renderEncryptionConfig(config1), { mode: 0o600 });
  const audit = join(dir, 'audit.log');
  const apiPort = await freePort();
  const c = await StoreCluster.start(t, {
    size: 1,
    tls: {
      memberArgs: (m) => [
        '--cert-file', storeServer.cert, '--key-file', storeServer.key, '--trusted-ca-file', ca, '--client-cert-auth',
        '--peer-cert-file', storePeer.cert, '--peer-key-file', storePeer.key, '--peer-trusted-ca-file', ca, '--peer-client-cert-auth',
        '--api-listen-address', `127.0.0.1:${apiPort}`,
        '--api-tls-cert-file', apiServing.cert, '--api-tls-private-key-file', apiServing.key, '--api-client-ca-file', ca,
        '--api-store-endpoints', `https://127.0.0.1:${m.clientPort}`,
        '--api-store-cafile', ca, '--api-store-certfile', apiStoreClient.cert, '--api-store-keyfile', apiStoreClient.key,
        '--api-encryption-provider-config', encryption,
        '--api-audit-log-path', audit,
      ],
      ctlArgs: ['--cacert', ca, '--cert', root.cert, '--key', root.key],
    },
  });
  const connect = (pair?: { cert: string; key: string }): ApiConn => {
    const conn = new ApiConn(`127.0.0.1:${apiPort}`, credentials.createSsl(readFileSync(ca), pair === undefined ? null : readFileSync(pair.key), pair === undefined ? null : readFileSync(pair.cert)));
    t.teardown(() => conn.close());
    return conn;
  };
  const api = connect(admin);
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, type: 'Opaque', data: { password: Buffer.from('plaintext-password').toString('base64') } };
  // The API server starts once the member serves clients: wait (bounded) for it to answer.
  let created = false;
  for (let i = 0; i < 120 && !created; i++) {
    created = await api.create('secrets', 'default', secret).then(
      () => true,
      () => new Promise<boolean>((r) => setTimeout(() => r(false), 250)),
    );
  }
  t.ok(created, 'an admin certificate creates a secret through the TLS API (the API server reaches the store over mTLS)');
  const raw = await c.ctl(['get', '/registry/secrets/default/db', '--print-value-only']);
  t.ok(raw.startsWith(AESGCM_PREFIX), 'etcdctl shows the aesgcm prefix');
  t.notOk(raw.includes(Buffer.from('plaintext-password').toString('base64')), 'etcdctl does not show the secret');
  const read = await api.get('secrets', 'default', 'db');
  t.equal(Buffer.from(String((read.data as Record<string, string>).password), 'base64').toString(), 'plaintext-password', 'the API serves it decrypted');
  t.equal((await failure(connect().get('secrets', 'default', 'db'))).code, UNAUTHENTICATED, 'no credentials: UNAUTHENTICATED');

  // Key rotation: key2 first (key1 still decrypts), then `encryption rotate` rewrites the secret.
  const config2 = addKey(config1, 'secrets', 'key2', new Uint8Array(Buffer.from(generateKey(), 'base64')), true);
  const encryption2 = join(dir, 'encryption2.yaml');
  writeFileSync(encryption2, renderEncryptionConfig(config2), { mode: 0o600 });
  const store = `https://127.0.0.1:${c.members[0]!.clientPort}`;
  const rotate = await run(process.execPath, [LAUNCHER, 'encryption', 'rotate', '--config', encryption2, '--store', store, '--store-cafile', ca, '--store-certfile', apiStoreClient.cert, '--store-keyfile', apiStoreClient.key], { timeoutMs: 60_000 });
  t.equal(rotate.code, 0, `encryption rotate succeeds: ${rotate.stdout}${rotate.stderr}`);
  t.match(rotate.stdout, /secrets: scanned \d+, rewritten 1,/);
  t.ok((await c.ctl(['get', '/registry/secrets/default/db', '--print-value-only'])).startsWith(`${AESGCM_PREFIX}key2:`), 'etcdctl shows the value written with key2');
  const rawStore = new EtcdStorage({ endpoints: [store], tls: { ca: readFileSync(ca), cert: readFileSync(apiStoreClient.cert), key: readFileSync(apiStoreClient.key) } });
  t.teardown(() => rawStore.close());
  const rotated = await new EncryptingStorage(rawStore, encryptedPrefixes(config2)).get('/registry/secrets/default/db');
  t.match(Buffer.from(rotated!.value).toString(), /plaintext-password|cGxhaW50ZXh0LXBhc3N3b3Jk/, 'the rotated value decrypts with the new config');

  let lines: string[] = [];
  for (let i = 0; i < 100; i++) {
    lines = readFileSync(audit, 'utf8').split('\n').filter((l) => l !== '');
    if (lines.some((l) => l.includes('"code":16'))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.ok(lines.some((l) => l.includes('"user":"admin"') && l.includes('"allowed":true')), 'audit: the allowed request');
  t.ok(lines.some((l) => l.includes('"code":16') && l.includes('"allowed":false')), 'audit: the unauthenticated request');
});
