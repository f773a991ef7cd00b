// Driver of the end-to-end step 3 (test/e2e/steps/rollout.ts) on the dev-mode lab: one control
// plane, two workers, the client host. The web app of test/e2e/steps/web-app.ts (3 replicas +
// ClusterIP Service) is applied and spread over both workers; then the step rolls it to a new
// image and back while w1 requests the ClusterIP in a loop, and asserts no request failed.
import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Pod } from '../../api/index.js';
import { devLabAccess } from '../e2e/helpers/dev-lab-access.js';
import { rolloutWithoutFailures } from '../e2e/steps/rollout.js';
import { WEB_NAME, WEB_PORT, webAppManifest } from '../e2e/steps/web-app.js';
import { Lab, requireLab, waitFor } from './helpers/lab.js';

const LAB = process.env.SHOAL_ROLLOUT_LAB ?? 'ro1';

// A lab on a loaded 2-core machine (the whole suite beside it) can take longer than tap's 300 s.
t.setTimeout(900_000);

t.test('lab - rollout: a new image and an undo with zero failed requests', async (t) => {
  if (!(await requireLab(t))) return;
  const lab = await Lab.up(t, { name: LAB, workers: 2 });
  await lab.startControlPlane();
  if (!(await waitFor(t, 'the API server answers from the client host', async () => (await lab.shoalctl(['get', 'nodes'])).code === 0, 90_000))) return;
  const agents: (ChildProcess | undefined)[] = [await lab.startAgent(1), await lab.startAgent(2)];
  const c = devLabAccess(lab, agents);
  const nodesReady = await waitFor(
    t,
    'both nodes Ready',
    async () => {
      const items = (await c.shoalctlJson<{ items: { status?: { conditions?: { type: string; status: string }[] } }[] }>(['get', 'nodes'])).items;
      return items.length === 2 && items.every((n) => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
    },
    120_000,
    async () => (await c.shoalctl(['get', 'nodes', '-o', 'wide'])).stdout,
  );
  if (!nodesReady) return;

  const applied = await c.shoalctl(['apply', '-f', '-'], { input: webAppManifest() });
  t.equal(applied.code, 0, `web app applied ${applied.stderr}`);
  const pods = async (): Promise<Pod[]> => (await c.shoalctlJson<{ items: Pod[] }>(['get', 'pods', '-l', `app=${WEB_NAME}`])).items;
  const readyPods = async (): Promise<Pod[]> => (await pods()).filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
  const spread = await waitFor(
    t,
    '3 ready pods over both workers',
    async () => {
      const ps = await readyPods();
      return ps.length === 3 && new Set(ps.map((p) => p.spec.nodeName)).size === 2;
    },
    180_000,
    async () => JSON.stringify((await pods()).map((p) => ({ name: p.metadata.name, node: p.spec.nodeName, phase: p.status?.phase })), null, 1),
  );
  if (!spread) return;
  const serviceIp = (await c.shoalctlJson<{ spec: { clusterIP?: string } }>(['get', 'service', WEB_NAME])).spec.clusterIP ?? '';
  t.match(serviceIp, /^10\./, `ClusterIP ${serviceIp}`);
  const answers = await waitFor(
    t,
    'the ClusterIP answers from w1',
    async () => (await c.exec('w1', '/bin/busybox', ['timeout', '3', '/bin/busybox', 'wget', '-q', '-O-', `http://${serviceIp}:${WEB_PORT}/`], { timeoutMs: 10_000 })).stdout.startsWith(`${WEB_NAME}-`),
    60_000,
    async () => (await c.exec('w1', 'iptables-save', ['-t', 'nat'])).stdout,
  );
  if (!answers) return;

  const started = Date.now();
  await rolloutWithoutFailures(t, c, { deployment: WEB_NAME, container: 'web', serviceIp, port: WEB_PORT, fromHost: 'w1' });
  t.comment(`rollout step took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!t.passing()) {
    // The lab (and its logs) goes at teardown: keep the logs of a failed run to read.
    const keep = await mkdtemp(join(tmpdir(), `shoal-${LAB}-logs-`));
    for (const [host, what] of [['cp1', 'control-plane'], ['w1', 'agent'], ['w2', 'agent']] as const) await copyFile(lab.logPath(host, what), join(keep, `${host}-${what}.log`)).catch(() => undefined);
    t.comment(`logs of the failed run kept in ${keep}`);
  }
});
