// shoalctl top with real Docker: a busybox pod holding a few MiB shows non-zero memory (Docker's
// one-shot stats, working set), and the node shows the host's usage (systeminformation).
// Skips loudly without Docker (fails under CI=true).
import pino from 'pino';
import t from 'tap';
import { insecureCredentials } from '../../client/index.js';
import { AGENT_VERSION, NodeTunnels } from '../../node-agent/index.js';
import { shoalctl } from '../cli/helpers/shoalctl.js';
import { agentRig, requireDocker, until } from './helpers/agent-rig.js';

t.setTimeout(600_000);

// 4 MiB in the container's /dev/shm (tmpfs: charged to its memory cgroup, not reclaimable file cache).
const HOLD_4MIB = 'dd if=/dev/zero of=/dev/shm/hold bs=1M count=4 2>/dev/null; echo held; exec sleep 3600';

t.test('top on Docker - a busybox pod has non-zero memory; the node has usage', async (t) => {
  if (!(await requireDocker(t))) return;
  const r = await agentRig(t);
  const tunnels = new NodeTunnels({ servers: r.servers.addresses, credentials: insecureCredentials, nodeName: r.nodeName, agentVersion: AGENT_VERSION, runtime: r.runtime, log: pino({ level: 'silent' }) }).start();
  t.teardown(() => tunnels.stop());
  await until(t, 'tunnel connected', () => tunnels.connected().length === 1, 30_000);
  await r.createPod('hog', { containers: [{ name: 'main', image: r.image, command: ['sh', '-c', HOLD_4MIB] }] });
  await r.waitPod(t, 'hog', 'Running', (p) => p.status?.phase === 'Running');
  await until(t, 'the string is built', async () => {
    const chunks: Uint8Array[] = [];
    await r.client.streams.podLogs({ namespace: 'default', name: 'hog' }, (b) => void chunks.push(b)).catch(() => undefined);
    return Buffer.concat(chunks).toString().includes('held');
  });

  const s = await r.client.streams.nodeStats(r.nodeName);
  const hog = s.pods.find((p) => p.name === 'hog');
  t.ok(hog, 'the pod is in the node stats');
  t.ok((hog?.memoryBytes ?? 0) > 0, `memory working set is non-zero (${hog?.memoryBytes} bytes)`);
  t.ok(s.memoryBytes > 0, 'the node reports memory in use');
  t.ok(s.cpuMillicores >= 0);

  const ctl = shoalctl(t, r.servers.addresses);
  const pods = await ctl.call(['top', 'pods']);
  t.equal(pods.code, 0, pods.stderr);
  t.match(pods.stdout, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\nhog\s+\d+m\s+[1-9]\d*Mi\n$/, 'shoalctl top pods shows MiB of memory for the pod');
  const nodes = await ctl.call(['top', 'nodes', r.nodeName]);
  t.equal(nodes.code, 0, nodes.stderr);
  t.match(nodes.stdout, new RegExp(`\\n${r.nodeName}\\s+\\d+m\\s+\\d+%\\s+[1-9]\\d*Mi\\s+\\d+%\\n$`), 'shoalctl top nodes: the host usage and percents');
});
