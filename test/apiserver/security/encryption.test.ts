// Encryption at rest: round trip, wrong key, rotation, plaintext passthrough, tamper detection,
// and the configuration file.
import t from 'tap';
import type { RandomBytes } from '../../../control-plane/apiserver/security/index.js';
import {
  AESGCM_PREFIX,
  AesGcmTransformer,
  EncryptionError,
  addKey,
  generateKey,
  newEncryptionConfig,
  parseEncryptionConfig,
  renderEncryptionConfig,
  staleValues,
  transformerFor,
  writeKeyName,
} from '../../../control-plane/apiserver/security/index.js';
import { seededRng } from '../../support/random.js';

const seeded = (seed: number): RandomBytes => {
  const rng = seededRng(seed);
  return (n) => Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));
};
const keyOf = (name: string, fill: number, length = 32) => ({ name, secret: new Uint8Array(length).fill(fill) });
const K1 = keyOf('key1', 1);
const K2 = keyOf('key2', 2);
const PATH = '/registry/secrets/default/db';
const plain = Buffer.from('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}');
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

t.test('encryption - round trip in the Kubernetes prefix format', async (t) => {
  const tr = new AesGcmTransformer({ type: 'aesgcm', key: K1 }, [], seeded(1));
  const stored = tr.toStorage(plain, PATH);
  const s = Buffer.from(stored);
  t.ok(s.toString('latin1').startsWith(`${AESGCM_PREFIX}key1:`), 'prefix names the key');
  t.equal(s.length, `${AESGCM_PREFIX}key1:`.length + 12 + plain.length + 16, 'prefix + nonce + ciphertext + tag');
  t.notOk(s.includes(Buffer.from('password')), 'no plaintext in the stored form');
  const back = tr.fromStorage(stored, PATH);
  t.equal(text(back.value), text(plain));
  t.equal(back.stale, false);
  const again = tr.toStorage(plain, PATH);
  t.not(Buffer.from(again).toString('hex'), s.toString('hex'), 'a fresh nonce per write');
  const n = `${AESGCM_PREFIX}key1:`.length;
  t.same(Buffer.from(again).subarray(0, n), s.subarray(0, n), 'same prefix');
});

t.test('encryption - the same seeded random source gives the same bytes (deterministic in tests)', async (t) => {
  const a = new AesGcmTransformer({ type: 'aesgcm', key: K1 }, [], seeded(7)).toStorage(plain, PATH);
  const b = new AesGcmTransformer({ type: 'aesgcm', key: K1 }, [], seeded(7)).toStorage(plain, PATH);
  t.same(Buffer.from(a), Buffer.from(b));
});

t.test('encryption - wrong key or unknown key: a clear error naming the key', async (t) => {
  const stored = new AesGcmTransformer({ type: 'aesgcm', key: K1 }, [], seeded(2)).toStorage(plain, PATH);
  const wrongSecret = new AesGcmTransformer({ type: 'aesgcm', key: keyOf('key1', 9) }, [], seeded(3));
  t.throws(() => wrongSecret.fromStorage(stored, PATH), { name: 'EncryptionError', code: 'decrypt-failed', keyName: 'key1', message: /could not be decrypted with key "key1"/ });
  const other = new AesGcmTransformer({ type: 'aesgcm', key: K2 }, [], seeded(3));
  t.throws(() => other.fromStorage(stored, PATH), { code: 'unknown-key', keyName: 'key1', message: /encrypted with key "key1", which is not in the encryption configuration \(keys: key2\)/ });
  t.throws(() => other.fromStorage(Buffer.from('k8s:enc:kms:v2:foo:xxxx'), PATH), { code: 'malformed', message: /provider "kms"/ });
  t.throws(() => new AesGcmTransformer({ type: 'aesgcm', key: K1 }, []).fromStorage(Buffer.from(`${AESGCM_PREFIX}key1:short`), PATH), { code: 'malformed', message: /truncated/ });
});

t.test('encryption - tampering is detected: flipped bytes, truncation, a value moved to another key', async (t) => {
  const tr = new AesGcmTransformer({ type: 'aesgcm', key: K1 }, [], seeded(4));
  const stored = Buffer.from(tr.toStorage(plain, PATH));
  const prefix = `${AESGCM_PREFIX}key1:`.length;
  for (const at of [prefix, prefix + 12, stored.length - 1]) {
    const bad = Buffer.from(stored);
    bad[at] = bad[at]! ^ 0x01;
    t.throws(() => tr.fromStorage(bad, PATH), { code: 'decrypt-failed' }, `byte ${at} flipped`);
  }
  t.throws(() => tr.fromStorage(stored.subarray(0, stored.length - 1), PATH), { code: 'decrypt-failed' }, 'truncated');
  t.throws(() => tr.fromStorage(stored, '/registry/secrets/default/other'), { code: 'decrypt-failed' }, 'copied under another storage key');
});

t.test('encryption - plaintext values pass through (migration) and are reported stale', async (t) => {
  const tr = new AesGcmTransformer({ type: 'aesgcm', key: K1 }, []);
  const r = tr.fromStorage(plain, PATH);
  t.equal(text(r.value), text(plain));
  t.equal(r.stale, true, 'a rewrite will encrypt it');
  const identity = new AesGcmTransformer({ type: 'identity' }, [K1], seeded(5));
  t.same(Buffer.from(identity.toStorage(plain, PATH)), plain, 'identity first: writes plaintext');
  t.equal(identity.fromStorage(plain, PATH).stale, false);
  const enc = tr.toStorage(plain, PATH);
  t.same({ ...identity.fromStorage(enc, PATH), value: text(identity.fromStorage(enc, PATH).value) }, { value: text(plain), stale: true }, 'identity first still reads ciphertext of a listed key, marked stale');
});

t.test('encryption - rotation: old key reads, new key writes, staleValues lists what to rewrite', async (t) => {
  const before = new AesGcmTransformer({ type: 'aesgcm', key: K1 }, [], seeded(6));
  const values = new Map<string, Uint8Array>([
    ['/registry/secrets/a/one', before.toStorage(Buffer.from('one'), '/registry/secrets/a/one')],
    ['/registry/secrets/a/two', before.toStorage(Buffer.from('two'), '/registry/secrets/a/two')],
    ['/registry/secrets/a/legacy', Buffer.from('legacy-plaintext')],
  ]);
  // step 2: key2 first, key1 still reads
  const after = new AesGcmTransformer({ type: 'aesgcm', key: K2 }, [K1], seeded(8));
  const stale = staleValues([...values].map(([key, value]) => ({ key, value })), 'key2');
  t.same(
    stale.map((s) => [s.key, s.reason]),
    [
      ['/registry/secrets/a/one', 'written with key "key1", not "key2"'],
      ['/registry/secrets/a/two', 'written with key "key1", not "key2"'],
      ['/registry/secrets/a/legacy', 'plaintext'],
    ],
  );
  // step 3: rewrite each stale value
  for (const s of stale) {
    const r = after.fromStorage(values.get(s.key)!, s.key);
    t.equal(r.stale, true, `${s.key} read as stale`);
    values.set(s.key, after.toStorage(r.value, s.key));
  }
  t.same(staleValues([...values].map(([key, value]) => ({ key, value })), 'key2'), [], 'nothing left to rewrite');
  // step 4: key1 dropped; everything still reads
  const only2 = new AesGcmTransformer({ type: 'aesgcm', key: K2 }, []);
  t.same([...values].map(([k, v]) => text(only2.fromStorage(v, k).value)), ['one', 'two', 'legacy-plaintext']);
  t.same(staleValues([{ key: 'x', value: values.get('/registry/secrets/a/one')! }], undefined).map((s) => s.reason), ['written with key "key2", encryption is off']);
});

t.test('encryption - key validation', async (t) => {
  t.throws(() => new AesGcmTransformer({ type: 'aesgcm', key: keyOf('short', 1, 10) }, []), { code: 'invalid-config', message: /10 bytes/ });
  t.throws(() => new AesGcmTransformer({ type: 'aesgcm', key: keyOf('a:b', 1) }, []), { code: 'invalid-config', message: /must be non-empty and contain no ":"/ });
  t.throws(() => new AesGcmTransformer({ type: 'aesgcm', key: K1 }, [keyOf('key1', 5)]), { code: 'invalid-config', message: /two different keys are named "key1"/ });
  const aes128 = new AesGcmTransformer({ type: 'aesgcm', key: keyOf('k128', 3, 16) }, []);
  t.equal(text(aes128.fromStorage(aes128.toStorage(plain, PATH), PATH).value), text(plain), 'AES-128 keys work too');
});

const K1B64 = Buffer.alloc(32, 1).toString('base64');
const K2B64 = Buffer.alloc(32, 2).toString('base64');
const configText = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aesgcm:
          keys:
            - name: key2
              secret: ${K2B64}
            - name: key1
              secret: ${K1B64}
      - identity: {}
`;

t.test('encryption config - parse, use, render', async (t) => {
  const cfg = parseEncryptionConfig(configText);
  t.equal(writeKeyName(cfg, 'secrets'), 'key2');
  t.equal(writeKeyName(cfg, 'configmaps'), undefined);
  t.equal(transformerFor(cfg, 'configmaps'), undefined, 'unlisted resources are stored as they are');
  const tr = transformerFor(cfg, 'secrets', seeded(9))!;
  const stored = tr.toStorage(plain, PATH);
  t.match(Buffer.from(stored).toString('latin1'), /^k8s:enc:aesgcm:v1:key2:/);
  const old = new AesGcmTransformer({ type: 'aesgcm', key: K1 }, []).toStorage(plain, PATH);
  t.equal(tr.fromStorage(old, PATH).stale, true, 'key1 values read and are stale');
  t.same(parseEncryptionConfig(renderEncryptionConfig(cfg)), cfg, 'render → parse is the identity');
});

t.test('encryption config - bad files get errors naming the field', async (t) => {
  const bad: [string, string, RegExp][] = [
    ['not YAML', 'resources: [', /not valid YAML/],
    ['wrong kind', configText.replace('kind: EncryptionConfiguration', 'kind: Foo'), /kind: must be "EncryptionConfiguration", not "Foo"/],
    ['wrong apiVersion', configText.replace('apiserver.config.k8s.io/v1', 'v1'), /apiVersion: must be "apiserver.config.k8s.io\/v1"/],
    ['unknown top field', `${configText}extra: 1\n`, /unknown field "extra"/],
    ['no resources', 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources: []\n', /resources: must be a non-empty list/],
    ['short key', configText.replace(K1B64, Buffer.alloc(10).toString('base64')), /resources\[0\]\.providers\[0\]\.aesgcm\.keys\[1\]\.secret: key "key1" decodes to 10 bytes/],
    ['not base64', configText.replace(K1B64, 'not*base64!'), /keys\[1\]\.secret: key "key1" is not valid base64/],
    ['missing secret', configText.replace(`secret: ${K1B64}`, ''), /keys\[1\]\.secret: required for key "key1"/],
    ['colon in name', configText.replace('name: key1', 'name: "a:b"'), /keys\[1\]\.name: "a:b" must not contain ":"/],
    ['duplicate name', configText.replace('name: key1', 'name: key2'), /keys\[1\]\.name: "key2" appears twice/],
    ['unsupported provider', configText.replace('identity: {}', 'kms: {name: x}'), /providers\[1\]: provider "kms" is not supported/],
    ['wildcard resource', configText.replace('[secrets]', "['*.*']"), /resources\[0\]\.resources\[0\]: "\*\.\*" is not a resource name/],
  ];
  for (const [what, text, message] of bad) {
    t.throws(() => parseEncryptionConfig(text), { name: 'EncryptionError', code: 'invalid-config', message }, what);
  }
  const twice = `${configText}  - resources: [secrets]\n    providers: [{identity: {}}]\n`;
  t.throws(() => parseEncryptionConfig(twice), { message: /resources\[1\]\.resources\[0\]: "secrets" is already configured at resources\[0\]\.resources\[0\]/ });
});

t.test('encryption keys - generate, new config, add a key for rotation', async (t) => {
  const k = generateKey(seeded(10));
  t.equal(Buffer.from(k, 'base64').length, 32);
  t.equal(generateKey(seeded(10)), k, 'from the injected source');
  t.not(generateKey(), generateKey(), 'the default source is random');
  const cfg = newEncryptionConfig('first', seeded(11));
  t.equal(writeKeyName(cfg, 'secrets'), 'first');
  t.ok(parseEncryptionConfig(renderEncryptionConfig(cfg)), 'a new config passes validation');
  const second = new Uint8Array(32).fill(4);
  const step1 = addKey(cfg, 'secrets', 'second', second, false);
  t.equal(writeKeyName(step1, 'secrets'), 'first', 'step 1: the new key reads only');
  const step2 = addKey(cfg, 'secrets', 'second', second, true);
  t.equal(writeKeyName(step2, 'secrets'), 'second', 'step 2: the new key writes');
  t.throws(() => addKey(step2, 'secrets', 'first', second, true), EncryptionError);
  t.throws(() => addKey(step2, 'configmaps', 'x', second, true), { message: /no entry for "configmaps"/ });
});
