import t from 'tap';
import type { Test } from 'tap';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientOptionsFromConfig, ConfigError, configPath, defaultConfig, loadConfig, parseConfig, saveConfig } from '../../client/index.js';

async function tempDir(t: Test): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'shoal-client-config-'));
  t.teardown(() => rm(d, { recursive: true, force: true }));
  return d;
}

t.test('config - path: explicit, then SHOAL_CONFIG, then ~/.shoal/config', async (t) => {
  t.equal(configPath({ path: '/x/c', env: { SHOAL_CONFIG: '/y' }, homeDir: '/h' }), '/x/c');
  t.equal(configPath({ env: { SHOAL_CONFIG: '/y' }, homeDir: '/h' }), '/y');
  t.equal(configPath({ env: {}, homeDir: '/h' }), '/h/.shoal/config');
  t.throws(() => configPath({ env: {} }), ConfigError);
});

t.test('config - a full file parses', async (t) => {
  const c = parseConfig(
    'servers: [10.0.0.1:6443, "host-b:6443", "[::1]:6443"]\nnamespace: prod\ncredentials:\n  ca: ca.pem\n  cert: a.pem\n  key: a-key.pem\n  token: abc\n',
    '/etc/c',
  );
  t.same(c, { servers: ['10.0.0.1:6443', 'host-b:6443', '[::1]:6443'], namespace: 'prod', credentials: { ca: 'ca.pem', cert: 'a.pem', key: 'a-key.pem', token: 'abc' } });
  t.same(parseConfig('', '/c'), defaultConfig, 'an empty file means the defaults');
  t.same(parseConfig('namespace: x\n', '/c').servers, ['127.0.0.1:6443']);
});

t.test('config - errors name the file and the field', async (t) => {
  const bad: [string, RegExp][] = [
    ['servers: [a:1, "nope"]', /^\/c: servers\[1\]: "nope" is not host:port$/],
    ['servers: [a:99999]', /^\/c: servers\[0\]: "a:99999": port 99999 is out of range/],
    ['servers: []', /^\/c: servers: must name at least one/],
    ['servers: a:1', /^\/c: servers: must be a list/],
    ['servers: [a:1, a:1]', /^\/c: servers: "a:1" is listed twice/],
    ['namespace: Prod', /^\/c: namespace: must be a DNS label/],
    ['colour: blue', /^\/c: colour: unknown field/],
    ['credentials: {cert: a.pem}', /^\/c: credentials: cert and key must be given together/],
    ['credentials: {token: a, tokenFile: b}', /^\/c: credentials: token and tokenFile are exclusive/],
    ['credentials: {password: x}', /^\/c: credentials.password: unknown field/],
    ['credentials: {ca: 3}', /^\/c: credentials.ca: must be a non-empty string/],
    ['- a\n- b', /^\/c: must be a mapping/],
    ['servers: [a:1', /^\/c: not valid YAML/],
  ];
  for (const [text, re] of bad) {
    t.throws(() => parseConfig(text, '/c'), re, text);
  }
});

t.test('config - save then load round-trips; missing file is an error unless optional', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'sub', 'config');
  await t.rejects(loadConfig({ path }), { name: 'ConfigError', code: 'NotFound', file: path });
  const opt = await loadConfig({ path, optional: true });
  t.equal(opt.exists, false);
  t.same(opt.config, defaultConfig);
  const config = { servers: ['127.0.0.1:7001', '127.0.0.1:7002'], namespace: 'team-a', credentials: { token: 'secret' } };
  t.equal(await saveConfig(config, { env: { SHOAL_CONFIG: path } }), path);
  t.equal((await stat(path)).mode & 0o777, 0o600, 'owner-only: it may hold a token');
  const loaded = await loadConfig({ env: { SHOAL_CONFIG: path } });
  t.same(loaded.config, config);
  t.equal(loaded.exists, true);
  t.match(await readFile(path, 'utf8'), /servers:\n {2}- 127.0.0.1:7001/);
  await t.rejects(saveConfig({ ...config, namespace: 'Bad Name' }, { path }), /namespace: must be a DNS label/);
  t.same((await loadConfig({ path })).config, config, 'a refused save writes nothing');
});

t.test('config - client options read credential files relative to the config', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'config');
  await writeFile(join(dir, 'token'), 'tok-123\n');
  const o = await clientOptionsFromConfig(parseConfig('servers: [127.0.0.1:1]\ncredentials: {tokenFile: token}\n', path), path);
  t.same(o.servers, ['127.0.0.1:1']);
  t.equal(o.namespace, 'default');
  t.same(o.credentials, { kind: 'insecure', token: 'tok-123' });
  for (const f of ['ca.pem', 'c.pem', 'k.pem']) await writeFile(join(dir, f), `PEM of ${f}`);
  const tls = await clientOptionsFromConfig(parseConfig(`credentials: {ca: ca.pem, cert: ${join(dir, 'c.pem')}, key: k.pem, token: t}\n`, path), path);
  t.match(tls.credentials, { kind: 'tls', token: 't' }, 'ca or cert means TLS');
  const c = tls.credentials as unknown as { ca: Buffer; cert: Buffer; key: Buffer };
  t.same([c.ca.toString(), c.cert.toString(), c.key.toString()], ['PEM of ca.pem', 'PEM of c.pem', 'PEM of k.pem'], 'relative and absolute paths read');
  await t.rejects(
    clientOptionsFromConfig(parseConfig('credentials: {ca: missing.pem}\n', path), path),
    { name: 'ConfigError', field: 'credentials.ca', message: new RegExp(`^${path}: credentials.ca: cannot read ${join(dir, 'missing.pem')}`) },
  );
});
