// The real binary: `shoal-agent join` refuses a wrong hash (exit 1, nothing written) and joins
// with the right one; `shoal-agent run --data-dir` then reads agent.yaml, registers its Node over
// mTLS, renews its short-lived certificate and keeps heartbeating with the new one.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import type { Lease } from '../../api/index.js';
import { Label, nodePaths } from '../../node-agent/index.js';
import { freePorts } from '../chaos/free-port.js';
import { requireDocker, until } from './helpers/agent-rig.js';
import { startSecureApi } from './helpers/secure-api.js';
import { removeContainersByLabel } from './helpers/test-image.js';
import { createTestPki } from '../support/pki.js';

const run = promisify(execFile);
const agent = (args: string[]) => run(process.execPath, ['bin/shoal-agent.js', ...args], { timeout: 60_000 }).then(
  (r) => ({ code: 0, ...r }),
  (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
);

t.test('shoal-agent join + run - wrong hash refused; join; mTLS run; certificate renewed while running', async (t) => {
  if (!(await requireDocker(t))) return;
  const api = await startSecureApi(t, { leafValidityMs: 60_000 });
  const other = await createTestPki(t, 'wrong');
  const root = await mkdtemp(join(tmpdir(), 'shoal-join-cli-'));
  const dataDir = join(root, 'data');
  const nodeName = `join-cli-${process.pid}`;
  const [httpPort] = await freePorts(1);
  const procs: ChildProcess[] = [];
  t.teardown(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await removeContainersByLabel(`${Label.Node}=${nodeName}`);
    await rm(root, { recursive: true, force: true });
  });
  const token = await api.createToken();

  const refused = await agent(['join', api.address, '--token', token, '--ca-cert-hash', other.caHash, '--data-dir', dataDir, '--node-name', nodeName]);
  t.equal(refused.code, 1, 'exit 1');
  t.match(refused.stderr, /does not match --ca-cert-hash/);
  t.notOk(existsSync(dataDir), 'nothing written');
  const usage = await agent(['join', api.address, '--ca-cert-hash', api.pki.caHash]);
  t.equal(usage.code, 2, 'a usage error exits 2');
  t.match(usage.stderr, /--token is required/);

  const joined = await agent(['join', api.address, '--token', token, '--ca-cert-hash', api.pki.caHash, '--data-dir', dataDir, '--node-name', nodeName]);
  t.equal(joined.code, 0, `join exits 0${joined.code === 0 ? "" : `: ${joined.stderr}`}`);
  t.match(joined.stdout, new RegExp(`joined the cluster as "${nodeName}"`));
  const paths = nodePaths(dataDir);
  const firstSerial = new X509Certificate(await readFile(paths.cert)).serialNumber;

  const p = spawn(process.execPath, ['bin/shoal-agent.js', 'run', '--data-dir', dataDir, '--http-address', `127.0.0.1:${httpPort}`, '--log-level', 'warn', '--proxy-mode', 'none', '--pod-network', 'none'], { stdio: ['ignore', 'ignore', 'inherit'] });
  procs.push(p);
  const nodes = api.admin.resource('nodes', '');
  await until(t, 'the Node registered over mTLS', async () => (await nodes.get(nodeName).catch(() => undefined)) !== undefined, 60_000);
  t.pass('the agent registered its Node with the node certificate from agent.yaml');

  // 60 s certificates (room for a slow start on a loaded machine): a renewal comes after 42-54 s.
  let renewedAt = 0;
  await until(t, 'the certificate renewed on disk', async () => {
    const serial = new X509Certificate(await readFile(paths.cert)).serialNumber;
    if (serial !== firstSerial) renewedAt = Date.now();
    return renewedAt > 0;
  }, 60_000);
  t.equal(api.signed[1]?.spec.username, `system:node:${nodeName}`, 'renewed with the node certificate, not the token');
  const leases = api.admin.resource<Lease>('leases', 'kube-node-lease');
  await until(t, 'a heartbeat after the renewal', async () => {
    const l = await leases.get(nodeName).catch(() => undefined);
    return Date.parse(l?.spec.renewTime ?? '') > renewedAt;
  }, 60_000);
  t.pass('the agent reconnected and heartbeats with the renewed certificate');
  t.equal(p.exitCode, null, 'the agent is still running');
});
