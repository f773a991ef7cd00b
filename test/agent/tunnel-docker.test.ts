// Node tunnel with real Docker - `shoalctl logs` of a busybox pod, `shoalctl exec` with the remote
// exit code and stdin, and `shoalctl image load` of a `docker save` tarball that then shows in
// `docker images`. Skips loudly without Docker (fails under CI=true).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import t from 'tap';
import { insecureCredentials } from '../../client/index.js';
import { AGENT_VERSION, NodeTunnels } from '../../node-agent/index.js';
import { shoalctl } from '../cli/helpers/shoalctl.js';
import { agentRig, requireDocker, until } from './helpers/agent-rig.js';
import { DOCKER_CLI } from './helpers/test-image.js';

const run = promisify(execFile);

// A shoalctl process starts slowly on a loaded 2-core machine: generous bounds.
const SLOW = 240_000;
t.setTimeout(900_000);

t.test('tunnel on Docker - shoalctl logs, exec and image load', async (t) => {
  if (!(await requireDocker(t))) return;
  const r = await agentRig(t);
  const tunnels = new NodeTunnels({ servers: r.servers.addresses, credentials: insecureCredentials, nodeName: r.nodeName, agentVersion: AGENT_VERSION, runtime: r.runtime, log: pino({ level: 'silent' }) }).start();
  t.teardown(() => tunnels.stop());
  await until(t, 'tunnel connected', () => tunnels.connected().length === 1, 30_000);
  const ctl = shoalctl(t, r.servers.addresses);

  await r.createPod('talker', { containers: [{ name: 'main', image: r.image, command: ['sh', '-c', 'for i in 1 2 3; do echo line-$i; done; sleep 1; echo to-stderr >&2; sleep 3600'] }] });
  await r.waitPod(t, 'talker', 'Running', (p) => p.status?.phase === 'Running');
  // Waits in process (cheap), then checks each claim once with shoalctl.
  await until(t, 'the log lines', async () => {
    const chunks: Uint8Array[] = [];
    await r.client.streams.podLogs({ namespace: 'default', name: 'talker' }, (b) => void chunks.push(b)).catch(() => undefined);
    return Buffer.concat(chunks).toString().includes('to-stderr');
  });
  const logs = await ctl.run(['logs', 'talker'], { timeoutMs: SLOW });
  // stderr comes a second later: Docker orders its two pipes only by arrival.
  t.same(logs, { code: 0, stdout: 'line-1\nline-2\nline-3\nto-stderr\n', stderr: '' }, 'shoalctl logs: stdout and stderr, demultiplexed');
  const tail = await ctl.call(['logs', '--tail', '2', '--timestamps', 'talker']);
  t.match(tail.stdout, /^\S+Z line-3\n\S+Z to-stderr\n$/, '--tail 2 --timestamps');
  const followed: Uint8Array[] = [];
  const stop = new AbortController();
  const following = r.client.streams.podLogs({ namespace: 'default', name: 'talker', follow: true, tailLines: 1, signal: stop.signal }, (b) => void followed.push(b));
  await until(t, 'followed output', () => Buffer.concat(followed).toString() === 'to-stderr\n');
  stop.abort();
  await following;
  t.pass('logs -f on Docker follows until aborted');

  const exec = await ctl.run(['exec', 'talker', '--', 'sh', '-c', 'echo hi; exit 3'], { timeoutMs: SLOW });
  t.equal(exec.stdout, 'hi\n', 'output of the remote command');
  t.equal(exec.code, 3, 'exit code 3 becomes shoalctl exit code');
  const cat = await ctl.call(['exec', '-i', 'talker', '--', 'cat'], { stdin: 'piped in\n' });
  t.same(cat, { code: 0, stdout: 'piped in\n', stderr: '' }, 'stdin reaches the command, EOF ends it');
  const err = await ctl.call(['exec', 'talker', '--', 'sh', '-c', 'echo oops >&2; exit 1']);
  t.same(err, { code: 1, stdout: '', stderr: 'oops\n' }, 'stderr apart, exit 1');

  const tag = `shoal-test/loaded:${randomBytes(4).toString('hex')}`;
  await run(DOCKER_CLI, ['tag', r.image, tag]);
  t.teardown(() => run(DOCKER_CLI, ['rmi', tag]).then(() => undefined, () => undefined));
  const tar = join(ctl.dir, 'image.tar');
  await run(DOCKER_CLI, ['save', '-o', tar, tag]);
  await run(DOCKER_CLI, ['rmi', tag]);
  t.equal((await run(DOCKER_CLI, ['images', '-q', tag])).stdout.trim(), '', 'the tag is gone before the load');
  const load = await ctl.run(['image', 'load', r.nodeName, tar], { timeoutMs: SLOW });
  t.equal(load.code, 0, load.stderr);
  t.match(load.stdout, `Loaded image: ${tag}\n`);
  t.not((await run(DOCKER_CLI, ['images', '-q', tag])).stdout.trim(), '', 'docker images shows the loaded tag');
});
