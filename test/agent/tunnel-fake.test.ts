// Node tunnel on the in-memory runtime - logs (tail, timestamps, follow, previous), exec (exit
// codes, stdin echo, stderr, a large output through the per-stream credit), image load, the
// errors a user meets (node not connected to this server, pod not on a node, which container),
// and the images directory.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import type { Pod } from '../../api/index.js';
import { ShoalClient, insecureCredentials, systemClock } from '../../client/index.js';
import { FakeRuntime, LOADED_RECORD, loadImagesDirectory } from '../../node-agent/index.js';
import { until } from './helpers/agent-rig.js';
import { tunnelRig } from './helpers/tunnel-rig.js';

const text = (chunks: Uint8Array[]): string => Buffer.concat(chunks).toString('utf8');

async function* bytes(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield Buffer.from(p);
}

t.test('tunnel - logs with tail and timestamps, previous missing', async (t) => {
  const r = await tunnelRig(t);
  await r.runPod(t, 'web', ['app']);
  const id = await r.containerId('web', 'app');
  for (const l of ['one\n', 'two\n', 'three\n']) r.runtime.writeLog(id, l);
  const all: Uint8Array[] = [];
  await r.client.streams.podLogs({ namespace: 'default', name: 'web' }, (b) => void all.push(b));
  t.equal(text(all), 'one\ntwo\nthree\n', 'whole log, container chosen as the only one');
  const tail: Uint8Array[] = [];
  await r.client.streams.podLogs({ namespace: 'default', name: 'web', container: 'app', tailLines: 2, timestamps: true }, (b) => void tail.push(b));
  t.match(text(tail), /^\d{4}-\d\d-\d\dT[\d:.]+Z two\n\d{4}-\d\d-\d\dT[\d:.]+Z three\n$/, 'last 2 lines with timestamps');
  await t.rejects(r.client.streams.podLogs({ namespace: 'default', name: 'web', previous: true }, () => undefined), { code: 5, message: /previous terminated container "app" in pod "web" not found/ });
});

t.test('tunnel - logs -f follows new lines and ends when the container stops', async (t) => {
  const r = await tunnelRig(t);
  await r.runPod(t, 'tail', ['app']);
  const id = await r.containerId('tail', 'app');
  r.runtime.writeLog(id, 'before\n');
  const got: Uint8Array[] = [];
  const following = r.client.streams.podLogs({ namespace: 'default', name: 'tail', follow: true }, (b) => void got.push(b));
  await until(t, 'first line', () => text(got) === 'before\n', 20_000);
  r.runtime.writeLog(id, 'after\n');
  await until(t, 'followed line', () => text(got) === 'before\nafter\n', 20_000);
  r.runtime.crash(id, 0);
  await following;
  t.equal(text(got), 'before\nafter\n', 'stream ended with the container');
});

t.test('tunnel - exec: exit codes, stdin echo, stderr, a large output', async (t) => {
  const r = await tunnelRig(t);
  await r.runPod(t, 'box', ['app']);
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const exec = (command: string[], stdin?: AsyncIterable<Uint8Array>): Promise<number> => {
    out.length = 0;
    err.length = 0;
    return r.client.streams.podExec({ namespace: 'default', name: 'box', command, ...(stdin ? { stdin } : {}) }, (b) => void out.push(b), (b) => void err.push(b));
  };
  t.equal(await exec(['exit', '3']), 3, 'exit code 3');
  t.equal(await exec(['exit', '0']), 0, 'exit code 0');
  t.equal(await exec(['cat'], bytes('hello ', 'tunnel\n')), 0);
  t.equal(text(out), 'hello tunnel\n', 'stdin echoed back');
  t.equal(await exec(['stderr', 'oops']), 1);
  t.equal(text(err), 'oops', 'stderr kept apart');
  t.equal(await exec(['big', String(3 * 1024 * 1024)]), 0);
  t.equal(Buffer.concat(out).length, 3 * 1024 * 1024, '3 MiB arrived whole (many windows of credit)');
  // A slow reader holds the stream back without losing anything.
  let received = 0;
  const code = await r.client.streams.podExec({ namespace: 'default', name: 'box', command: ['big', String(1024 * 1024)] }, async (b) => {
    received += b.length;
    await new Promise((res) => setTimeout(res, 2));
  }, () => undefined);
  t.equal(code, 0);
  t.equal(received, 1024 * 1024, 'slow reader got every byte');
  t.equal(await exec(['nope']), 127, 'a missing command exits 127');
  t.equal(text(err), 'nope: not found\n');
});

t.test('tunnel - errors: node not connected to this server, pod not on a node, container choice', async (t) => {
  const r = await tunnelRig(t, { tunnelServers: [0] });
  await r.runPod(t, 'two', ['a', 'b']);
  await t.rejects(r.client.streams.podLogs({ namespace: 'default', name: 'two' }, () => undefined), { code: 3, message: /a container name must be specified for pod two, choose one of: \[a b\]/ });
  await t.rejects(r.client.streams.podLogs({ namespace: 'default', name: 'two', container: 'zz' }, () => undefined), { code: 3, message: /container zz is not valid for pod two/ });
  // Only server 1, which has no tunnel of this node.
  const second = new ShoalClient({ servers: [r.servers.addresses[1]!], credentials: insecureCredentials });
  t.teardown(() => second.close());
  await t.rejects(second.streams.podLogs({ namespace: 'default', name: 'two', container: 'a' }, () => undefined), { code: 14, message: new RegExp(`node "${r.nodeName}" has no tunnel to this API server`) });
  // Both servers, the second first: the client moves on to the one with the tunnel.
  const both = new ShoalClient({ servers: [r.servers.addresses[1]!, r.servers.addresses[0]!], credentials: insecureCredentials });
  t.teardown(() => both.close());
  t.equal(await both.streams.podExec({ namespace: 'default', name: 'two', container: 'a', command: ['exit', '4'] }, () => undefined, () => undefined), 4, 'failed over to the server holding the tunnel');
  const pods = r.client.resource<Pod>('pods', 'default');
  await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending' }, spec: { containers: [{ name: 'a', image: 'x' }] } } as unknown as Pod);
  await t.rejects(r.client.streams.podLogs({ namespace: 'default', name: 'pending' }, () => undefined), { code: 9, message: /pod pending is not scheduled to a node yet/ });
  await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'elsewhere' }, spec: { nodeName: 'ghost', containers: [{ name: 'a', image: 'x' }] } } as unknown as Pod);
  await t.rejects(r.client.streams.podExec({ namespace: 'default', name: 'elsewhere', command: ['true'] }, () => undefined, () => undefined), { code: 14, message: /node "ghost" has no tunnel/ });
  await t.rejects(r.client.streams.podLogs({ namespace: 'default', name: 'missing' }, () => undefined), { code: 5 });
});

t.test('tunnel - image load streams a tarball into the node runtime', async (t) => {
  const r = await tunnelRig(t);
  let progress = 0;
  const tar = Buffer.alloc(700 * 1024, 7);
  const res = await r.client.streams.imageLoad({ node: r.nodeName, open: () => bytes(tar.toString('latin1')), sizeBytes: tar.length, onProgress: (n) => (progress = n) });
  t.equal(res.node, r.nodeName);
  t.equal(res.images.length, 1);
  t.match(res.images[0], /^fake-loaded\/[0-9a-f]{12}:latest$/);
  t.ok(await r.runtime.imagePresent(res.images[0]!), 'the runtime has the image');
  t.ok(progress > 0, 'progress reported');
  await t.rejects(r.client.streams.imageLoad({ node: 'ghost', open: () => bytes('x') }), { code: 14, message: /node "ghost" has no tunnel/ });
});

t.test('tunnel - images directory: loaded once per file content', async (t) => {
  const dir = t.testdir({ images: { 'a.tar': 'first tarball', 'notes.txt': 'ignored' } });
  const runtime = new FakeRuntime({ clock: systemClock });
  const log = pino({ level: 'silent' });
  const first = await loadImagesDirectory(runtime, dir, log);
  t.equal(first.loaded.length, 1);
  t.same(first.skipped, []);
  const again = await loadImagesDirectory(runtime, dir, log);
  t.same(again.loaded, [], 'not loaded twice');
  t.same(again.skipped, ['a.tar']);
  await writeFile(join(dir, 'images', 'a.tar'), 'replaced content');
  const changed = await loadImagesDirectory(runtime, dir, log);
  t.equal(changed.loaded.length, 1, 'new content is loaded');
  const record = JSON.parse(await readFile(join(dir, 'images', LOADED_RECORD), 'utf8')) as Record<string, { file: string }>;
  t.equal(Object.keys(record).length, 2, 'both contents recorded');
});
