// Step 5: cut the store leader's host off from the other two control-plane hosts (iptables
// inside that host: packets from and to their addresses dropped), write through the majority,
// and read from the cut-off host both through its API server (shoalctl --server) and straight
// from its store member (etcdctl, linearizable by default): every read there either fails or
// returns the new value, never the old one. Heal: the host catches up and serves the new value.
import type { Test } from 'tap';
import { labAddress, waitFor } from '../../lab/helpers/lab.js';
import type { InstalledCluster } from '../helpers/installed-cluster.js';
import { members } from './bring-up.js';
import { configMap, cpApi } from './store-leader-loss.js';

const KEY = 'e2e-partition';
const cpIndex = (host: string): number => Number(host.replace(/^cp/, ''));

/** etcdctl in HOST against its own store member, with the API server's client certificate. */
async function storeRead(c: InstalledCluster, host: string, consistency: 'l' | 's'): Promise<{ ok: boolean; modRevision?: number; err: string }> {
  const pki = `${c.lab.dir}/${host}/root/var/lib/shoal/control-plane/pki`;
  const r = await c.exec(
    host,
    'etcdctl',
    ['--endpoints', `https://${labAddress.cp(cpIndex(host))}:2379`, '--cacert', `${pki}/ca.crt`, '--cert', `${pki}/apiserver-store-client.crt`, '--key', `${pki}/apiserver-store-client.key`, '--command-timeout=5s', '--dial-timeout=3s', `--consistency=${consistency}`, 'get', `/registry/configmaps/default/${KEY}`, '-w', 'json'],
    { timeoutMs: 20_000 },
  );
  if (r.code !== 0) return { ok: false, err: r.stderr.trim().split('\n').pop() ?? '' };
  const kv = (JSON.parse(r.stdout) as { kvs?: { mod_revision: number }[] }).kvs?.[0];
  return { ok: true, err: '', ...(kv === undefined ? {} : { modRevision: kv.mod_revision }) };
}

async function apiRead(c: InstalledCluster, host: string): Promise<{ ok: boolean; value?: string; err: string }> {
  const r = await c.shoalctl(['get', 'configmap', KEY, '-o', 'json', '--request-timeout', '8s'], { server: cpApi(host), timeoutMs: 30_000 });
  if (r.code !== 0) return { ok: false, err: r.stderr.trim().split('\n').pop() ?? '' };
  return { ok: true, err: '', value: (JSON.parse(r.stdout) as { data?: { value?: string } }).data?.value };
}

export async function partitionAndHeal(t: Test, c: InstalledCluster): Promise<void> {
  const before = await members(c);
  const cut = before.find((m) => m.leader)?.name;
  if (cut === undefined) return void t.fail('no store leader to cut off');
  const majority = c.controlPlanes.filter((h) => h !== cut);
  const first = await c.shoalctl(['apply', '-f', '-'], { input: configMap(KEY, 'old') });
  t.equal(first.code, 0, `the old value is written: ${first.stderr}`);
  const oldRev = (await storeRead(c, majority[0]!, 'l')).modRevision ?? 0;

  await c.partition(cut, majority.map((h) => labAddress.cp(cpIndex(h))));
  t.comment(`partitioned ${cut} (the store leader) from ${majority.join(', ')}`);
  try {
    // Write through the majority: it elects a leader among itself first.
    let written = false;
    for (let i = 0; i < 40 && !written; i++) {
      const r = await c.shoalctl(['apply', '-f', '-'], { input: configMap(KEY, 'new'), server: cpApi(majority[i % 2]!), timeoutMs: 20_000 });
      written = r.code === 0;
      if (!written) await new Promise((res) => setTimeout(res, 500));
    }
    t.ok(written, 'the majority acknowledges the new value while the leader host is cut off');
    const newRev = (await storeRead(c, majority[0]!, 'l')).modRevision ?? 0;
    t.ok(newRev > oldRev, `the majority's store has the new revision (${oldRev} → ${newRev})`);

    // Reads on the cut-off host after the acknowledged write: fail, or the new value.
    let stale = 0;
    let served = 0;
    const notes: string[] = [];
    for (let i = 0; i < 2; i++) {
      const s = await storeRead(c, cut, 'l');
      if (s.ok && (s.modRevision ?? 0) < newRev) stale++;
      if (s.ok) served++;
      notes.push(`store: ${s.ok ? `rev ${s.modRevision}` : `refused (${s.err})`}`);
      const a = await apiRead(c, cut);
      if (a.ok && a.value !== 'new') stale++;
      if (a.ok) served++;
      notes.push(`api: ${a.ok ? `value ${a.value}` : `refused (${a.err})`}`);
    }
    t.equal(stale, 0, `no stale linearizable read on the cut-off host (${notes.join('; ')})`);
    t.comment(`cut-off host ${cut}: ${served} of 4 linearizable reads answered (the rest refused): ${notes.join('; ')}`);
    const serial = await storeRead(c, cut, 's');
    t.comment(`a serializable read there (allowed to be stale): ${serial.ok ? `rev ${serial.modRevision}` : serial.err}`);
  } finally {
    await c.heal(cut);
  }
  t.comment(`healed ${cut}`);
  let seen = before;
  const caughtUp = await waitFor(
    t,
    `${cut} catches up after the heal`,
    async () => {
      seen = await members(c);
      const a = await apiRead(c, cut);
      return seen.every((m) => m.healthy) && a.ok && a.value === 'new';
    },
    120_000,
    async () => JSON.stringify(seen) + '\n' + c.log(cut, 'control-plane').slice(-2000),
  );
  t.ok(caughtUp, `${cut} serves the new value through its API server`);
  const s = await storeRead(c, cut, 'l');
  t.ok(s.ok, `${cut}'s store member answers linearizable reads again`);
}
