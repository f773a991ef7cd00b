// shoalctl logs / exec / image load against in-process API servers and an agent on the in-memory
// runtime (real shoalctl processes, and in-process runs for the cheap error cases).
import t from 'tap';
import { shoalctl } from '../cli/helpers/shoalctl.js';
import { tunnelRig } from './helpers/tunnel-rig.js';

// A shoalctl process starts slowly on a loaded 2-core machine: generous bounds, few processes.
const SLOW = { timeoutMs: 240_000 };
t.setTimeout(900_000);

t.test('shoalctl - logs, exec exit codes and stdin, image load, and the errors', async (t) => {
  const r = await tunnelRig(t);
  const ctl = shoalctl(t, r.servers.addresses);
  await r.runPod(t, 'web', ['app']);
  await r.runPod(t, 'pair', ['a', 'b']);
  const id = await r.containerId('web', 'app');
  for (const l of ['alpha\n', 'beta\n', 'gamma\n']) r.runtime.writeLog(id, l);

  const logs = await ctl.run(['logs', 'web'], SLOW);
  t.same(logs, { code: 0, stdout: 'alpha\nbeta\ngamma\n', stderr: '' }, 'logs of the only container');
  const tail = await ctl.call(['logs', '--tail', '1', 'pod/web', '-c', 'app']);
  t.equal(tail.stdout, 'gamma\n', '--tail 1');

  const follow = ctl.start(['logs', '-f', 'web']);
  await follow.waitFor('gamma\n', 240_000);
  r.runtime.writeLog(id, 'delta\n');
  await follow.waitFor('delta\n');
  const stopped = await follow.stop();
  t.equal(stopped.code, 0, 'Ctrl-C ends logs -f cleanly');

  const which = await ctl.call(['logs', 'pair']);
  t.equal(which.code, 1);
  t.match(which.stderr, /error: a container name must be specified for pod pair, choose one of: \[a b\]/);

  const exit3 = await ctl.run(['exec', 'web', '--', 'exit', '3'], SLOW);
  t.equal(exit3.code, 3, "the remote exit code is shoalctl's");
  t.equal(exit3.stderr, '', 'nothing printed for a remote failure');
  const echo = await ctl.run(['exec', '-i', 'web', '--', 'cat'], { stdin: 'through the tunnel\n', ...SLOW });
  t.same(echo, { code: 0, stdout: 'through the tunnel\n', stderr: '' }, 'stdin piped to the command');
  const inproc = await ctl.call(['exec', '-i', 'pair', '-c', 'b', '--', 'cat'], { stdin: 'in process\n' });
  t.same(inproc, { code: 0, stdout: 'in process\n', stderr: '' });
  const noCmd = await ctl.call(['exec', 'web']);
  t.equal(noCmd.code, 2);
  t.match(noCmd.stderr, /you must specify at least one command/);

  const tar = ctl.file('image.tar', 'x'.repeat(100_000));
  const load = await ctl.run(['image', 'load', r.nodeName, tar], SLOW);
  t.equal(load.code, 0, load.stderr);
  t.match(load.stdout, /^Loaded image: fake-loaded\/[0-9a-f]{12}:latest\n$/);
  t.match(load.stderr, /\(100%\)/, 'progress shown');
  const ghost = await ctl.call(['image', 'load', 'ghost', tar]);
  t.equal(ghost.code, 1);
  t.match(ghost.stderr, /node "ghost" has no tunnel/);
  const missing = await ctl.call(['image', 'load', r.nodeName, '/nonexistent.tar']);
  t.match(missing.stderr, /cannot read \/nonexistent.tar/);
});
