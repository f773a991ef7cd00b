// Driver of end-to-end step 6 (test/e2e/steps/worker-loss.ts) on the dev-mode lab: one control
// plane with short node-loss timings (the flags an operator would use: --node-monitor-grace-period,
// --node-monitor-period, --default-unreachable-toleration-seconds) and two workers; a Deployment
// of 3 busybox httpd pods without tolerations of its own, so the API server's default toleration
// is what lets them move; then w1 is powered off and back on.
import t from 'tap';
import { devLabAccess } from '../e2e/helpers/dev-lab-access.js';
import { workerPowerOffAndBack } from '../e2e/steps/worker-loss.js';
import { Lab, requireLab, waitFor, webDeployment } from './helpers/lab.js';

const LAB = 'nl1';
/** Agents renew their Lease every 10 s: 20 s of silence is two missed renewals. */
const TIMINGS = ['--node-monitor-grace-period', '20s', '--node-monitor-period', '2s', '--default-not-ready-toleration-seconds', '10', '--default-unreachable-toleration-seconds', '10'];

const SERVICE = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } });

t.setTimeout(600_000);

t.test('lab - a worker powered off and back on: its pods move, its stale containers go', async (t) => {
  if (!(await requireLab(t))) return;
  const lab = await Lab.up(t, { name: process.env.LAB_NAME ?? LAB, workers: 2 });
  await lab.startControlPlane(TIMINGS);
  await waitFor(t, 'the API server answers from the client host', async () => (await lab.shoalctl(['get', 'nodes'])).code === 0, 90_000);
  const agents = [await lab.startAgent(1), await lab.startAgent(2)];
  const c = devLabAccess(lab, agents);
  const explain = async (): Promise<string> => `${(await lab.shoalctl(['get', 'nodes', '-o', 'wide'])).stdout}${(await lab.shoalctl(['get', 'pods', '-o', 'wide'])).stdout}`;
  const nodesReady = await waitFor(
    t,
    'both nodes Ready',
    async () => {
      const items = (await lab.shoalctlJson<{ items: { status?: { conditions?: { type: string; status: string }[] } }[] }>(['get', 'nodes'])).items;
      return items.length === 2 && items.every((n) => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
    },
    120_000,
    explain,
  );
  if (!nodesReady) return;
  t.equal((await lab.shoalctl(['apply', '-f', '-'], { input: webDeployment('web', 3) })).code, 0, 'deployment applied');
  t.equal((await lab.shoalctl(['apply', '-f', '-'], { input: SERVICE })).code, 0, 'service applied');
  const clusterIP = (await lab.shoalctlJson<{ spec: { clusterIP?: string } }>(['get', 'service', 'web'])).spec.clusterIP ?? '';
  const spread = await waitFor(
    t,
    '3 pods Ready over both workers',
    async () => {
      const pods = (await lab.shoalctlJson<{ items: { spec: { nodeName?: string; tolerations?: { key?: string; tolerationSeconds?: number }[] }; status?: { conditions?: { type: string; status: string }[] } }[] }>(['get', 'pods', '-l', 'app=web'])).items;
      const ready = pods.filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
      return ready.length === 3 && new Set(ready.map((p) => p.spec.nodeName)).size === 2;
    },
    120_000,
    explain,
  );
  if (!spread) return;
  const sample = (await lab.shoalctlJson<{ items: { spec: { tolerations?: { key?: string; tolerationSeconds?: number }[] } }[] }>(['get', 'pods', '-l', 'app=web'])).items[0];
  t.match(sample?.spec.tolerations, [{ key: 'node.kubernetes.io/not-ready', tolerationSeconds: 10 }, { key: 'node.kubernetes.io/unreachable', tolerationSeconds: 10 }], "the API server's default tolerations come from its flags");

  const timings = await workerPowerOffAndBack(t, c, { worker: 'w1', other: 'w2', selector: 'app=web', serviceUrl: `http://${clusterIP}:80/` });
  if (timings !== undefined) t.comment(`timings: unreachable ${timings.unreachableMs} ms, replacements Ready ${timings.replacedMs} ms after power-off; Ready again ${timings.readyAgainMs} ms, cleaned ${timings.cleanedMs} ms after power-on`);
});
