// Encryption at rest through the Storage seam: ciphertext in the store, plaintext above it,
// rotation by rewriting stale values.
import t from 'tap';
import type { StorageError, StorageWatchEvent } from '../../../control-plane/apiserver/storage/storage.js';
import { EncryptingStorage, encryptedPrefixes, parseEncryptionConfig, rewriteStale, staleValues } from '../../../control-plane/apiserver/security/index.js';
import { MapStorage } from './map-storage.js';

const b64 = (fill: number): string => Buffer.alloc(32, fill).toString('base64');
const config = (keys: [string, number][], identityFirst = false): string => `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
${identityFirst ? '      - identity: {}\n' : ''}      - aesgcm:
          keys:
${keys.map(([name, fill]) => `            - name: ${name}\n              secret: ${b64(fill)}`).join('\n')}
${identityFirst ? '' : '      - identity: {}\n'}`;
const through = (raw: MapStorage, text: string): EncryptingStorage => new EncryptingStorage(raw, encryptedPrefixes(parseEncryptionConfig(text)));
const str = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
const SECRET = '/registry/secrets/default/db';

t.test('encrypting storage - secrets are ciphertext in the store, plaintext above; other kinds untouched', async (t) => {
  const raw = new MapStorage();
  const s = through(raw, config([['key1', 1]]));
  const created = await s.create(SECRET, Buffer.from('{"data":{"password":"hunter2"}}'));
  t.equal(str(created.value), '{"data":{"password":"hunter2"}}', 'create answers with the plaintext');
  const stored = raw.data.get(SECRET)!.value;
  t.match(str(stored), /^k8s:enc:aesgcm:v1:key1:/);
  t.notMatch(Buffer.from(stored).toString('latin1'), /hunter2/, 'no plaintext in the store');
  t.equal(str((await s.get(SECRET))!.value), '{"data":{"password":"hunter2"}}');
  await s.create('/registry/configmaps/default/c', Buffer.from('plain'));
  t.equal(str(raw.data.get('/registry/configmaps/default/c')!.value), 'plain', 'configmaps are not encrypted');
  await s.create('/registry/secretsx/default/y', Buffer.from('plain'));
  t.equal(str(raw.data.get('/registry/secretsx/default/y')!.value), 'plain', 'the prefix ends with "/"');
  const listed = await s.list('/registry/secrets/');
  t.same(listed.items.map((i) => str(i.value)), ['{"data":{"password":"hunter2"}}']);
  const upd = await s.update(SECRET, Buffer.from('v2'), created.modRevision);
  t.equal(str((await s.get(SECRET))!.value), 'v2');
  const del = await s.delete(SECRET, upd.modRevision);
  t.equal(str(del.prev.value), 'v2', 'delete hands back the plaintext');
});

t.test('encrypting storage - watches decrypt; an undecryptable value ends the watch with a clear error', async (t) => {
  const raw = new MapStorage();
  const s = through(raw, config([['key1', 1]]));
  const seen: string[] = [];
  const errors: StorageError[] = [];
  const w = s.watch('/registry/secrets/', 0, {
    onEvents: (events: readonly StorageWatchEvent[]) => seen.push(...events.map((e) => `${e.type} ${str(e.value)} prev=${e.prevValue === undefined ? '-' : str(e.prevValue)}`)),
    onError: (e) => errors.push(e),
  });
  const c = await s.create(SECRET, Buffer.from('a'));
  await s.update(SECRET, Buffer.from('b'), c.modRevision);
  t.same(seen, ['put a prev=-', 'put b prev=a']);
  await through(raw, config([['other', 9]])).create('/registry/secrets/default/foreign', Buffer.from('x'));
  t.equal(errors.length, 1);
  t.match(errors[0], { name: 'StorageError', code: 'Rejected', message: /encrypted with key "other", which is not in the encryption configuration/ });
  await s.create('/registry/secrets/default/after', Buffer.from('z'));
  t.equal(seen.length, 2, 'nothing after the error');
  w.close();
  await t.rejects(s.get('/registry/secrets/default/foreign'), { code: 'Rejected', message: /key "other"/ }, 'a get fails the same way');
});

t.test('encrypting storage - rotation: add key2 second, make it first, rewrite stale values, drop key1', async (t) => {
  const raw = new MapStorage();
  const before = new Map<string, string>();
  const plainStore = new EncryptingStorage(raw, []);
  await plainStore.create('/registry/secrets/ns/legacy', Buffer.from('legacy'));
  before.set('/registry/secrets/ns/legacy', 'legacy');
  const v1 = through(raw, config([['key1', 1]]));
  for (let i = 0; i < 25; i++) {
    await v1.create(`/registry/secrets/ns/s${String(i).padStart(2, '0')}`, Buffer.from(`value-${i}`));
    before.set(`/registry/secrets/ns/s${String(i).padStart(2, '0')}`, `value-${i}`);
  }
  // step 1 (key2 reads) changes nothing stored
  const step1 = through(raw, config([['key1', 1], ['key2', 2]]));
  t.equal(str((await step1.get('/registry/secrets/ns/s00'))!.value), 'value-0');
  // step 2 and 3: key2 writes; rewrite what is stale, 7 keys a page
  const step2 = through(raw, config([['key2', 2], ['key1', 1]]));
  const report = await rewriteStale(raw, step2, '/registry/secrets/', 'key2', 7);
  t.same(report, { scanned: 26, rewritten: 26, skipped: 0, failed: [] });
  t.same(staleValues([...raw.data.values()], 'key2'), [], 'every value is now written with key2');
  t.same((await rewriteStale(raw, step2, '/registry/secrets/', 'key2', 7)).rewritten, 0, 'a second run has nothing to do');
  // step 4: key1 gone; all still readable
  const step4 = through(raw, config([['key2', 2]]));
  for (const [k, v] of before) t.equal(str((await step4.get(k))!.value), v, k);
});

t.test('encrypting storage - rewrite skips values changed meanwhile and reports unreadable ones', async (t) => {
  const raw = new MapStorage();
  const v1 = through(raw, config([['key1', 1]]));
  await v1.create('/registry/secrets/ns/a', Buffer.from('a'));
  await through(raw, config([['lost', 3]])).create('/registry/secrets/ns/b', Buffer.from('b'));
  const v2 = through(raw, config([['key2', 2], ['key1', 1]]));
  // A writer that updates "a" between the scan and the rewrite.
  const racing = new Proxy(v2, {
    get(target, prop, receiver) {
      if (prop !== 'get') return Reflect.get(target, prop, receiver) as unknown;
      return async (key: string) => {
        const cur = await target.get(key);
        if (key === '/registry/secrets/ns/a' && cur !== undefined) await target.update(key, Buffer.from('a2'), cur.modRevision);
        return target.get(key);
      };
    },
  });
  const report = await rewriteStale(raw, racing, '/registry/secrets/', 'key2');
  t.equal(report.skipped, 1, 'the concurrently written value is skipped (its writer used key2)');
  t.equal(report.rewritten, 0);
  t.same(report.failed.map((f) => f.key), ['/registry/secrets/ns/b']);
  t.match(report.failed[0]?.error, /key "lost"/);
  t.match(str(raw.data.get('/registry/secrets/ns/a')!.value), /^k8s:enc:aesgcm:v1:key2:/);
});

t.test('encrypting storage - identity first: writes plaintext, rewrite decrypts everything (turning encryption off)', async (t) => {
  const raw = new MapStorage();
  await through(raw, config([['key1', 1]])).create(SECRET, Buffer.from('s'));
  const off = through(raw, config([['key1', 1]], true));
  const report = await rewriteStale(raw, off, '/registry/secrets/', undefined);
  t.equal(report.rewritten, 1);
  t.equal(str(raw.data.get(SECRET)!.value), 's');
});
