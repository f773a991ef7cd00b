// The host side of the pod network (I/O): the docker network pods join, routes, iptables rules
// and ip_forward, through the `ip` and `iptables` commands of the namespace the agent runs in
// (the same iptables Docker uses) and the Docker engine's API. Every step is idempotent.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { cidrAddress, parseIpv4Cidr } from '../../api/net/ipv4-cidr.js';
import { FORWARD_CHAIN, POD_BRIDGE_NAME, POD_NETWORK_NAME, POSTROUTING_CHAIN, ROUTE_PROTOCOL, forwardRules, postroutingRules, routeChanges } from './plan.js';
import type { Route, RouteEntry } from './plan.js';

/** Runs a command; rejects with its stderr on a non-zero exit. */
export type CommandRunner = (cmd: string, args: readonly string[], input?: string) => Promise<string>;

const execFileP = promisify(execFile);

export const runCommand: CommandRunner = async (cmd, args, input) => {
  if (input === undefined) {
    const { stdout } = await execFileP(cmd, [...args], { timeout: 30_000, maxBuffer: 16 << 20 });
    return stdout;
  }
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, [...args], { timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
    child.stdin?.end(input);
  });
};

export class PodNetworkError extends Error {
  readonly code = 'POD_NETWORK';
  override readonly name = 'PodNetworkError';
}

const statusCode = (e: unknown): number | undefined => (e as { statusCode?: number } | null)?.statusCode;

interface NetworkInfo {
  readonly subnet: string | undefined;
  readonly containers: number;
}

async function inspectNetwork(docker: Docker): Promise<NetworkInfo | undefined> {
  try {
    const n = (await docker.getNetwork(POD_NETWORK_NAME).inspect()) as { IPAM?: { Config?: { Subnet?: string }[] }; Containers?: Record<string, unknown> };
    return { subnet: n.IPAM?.Config?.[0]?.Subnet, containers: Object.keys(n.Containers ?? {}).length };
  } catch (e) {
    if (statusCode(e) === 404) return undefined;
    throw e;
  }
}

/** The docker network `shoal` on podCIDR (gateway = first address, no masquerade); an existing one with that subnet is adopted. */
export async function ensureDockerNetwork(docker: Docker, podCIDR: string): Promise<'adopted' | 'created'> {
  const cur = await inspectNetwork(docker);
  if (cur?.subnet === podCIDR) return 'adopted';
  if (cur !== undefined) {
    if (cur.containers > 0) throw new PodNetworkError(`docker network ${POD_NETWORK_NAME} has subnet ${cur.subnet ?? '(none)'} but this node's pod CIDR is ${podCIDR}, and ${cur.containers} container(s) use it; remove them (or run shoal-agent cleanup) to let the agent recreate it`);
    await docker.getNetwork(POD_NETWORK_NAME).remove();
  }
  await docker.createNetwork({
    Name: POD_NETWORK_NAME,
    Driver: 'bridge',
    CheckDuplicate: true,
    IPAM: { Driver: 'default', Config: [{ Subnet: podCIDR, Gateway: cidrAddress(parseIpv4Cidr(podCIDR), 1) }] },
    Options: { 'com.docker.network.bridge.name': POD_BRIDGE_NAME, 'com.docker.network.bridge.enable_ip_masquerade': 'false' },
    Labels: { 'io.shoal.pod-network': 'host-gw' },
  });
  return 'created';
}

/** Removes the docker network, disconnecting whatever still uses it. */
export async function removeDockerNetwork(docker: Docker): Promise<boolean> {
  let n: { Containers?: Record<string, unknown> };
  try {
    n = (await docker.getNetwork(POD_NETWORK_NAME).inspect()) as typeof n;
  } catch (e) {
    if (statusCode(e) === 404) return false;
    throw e;
  }
  for (const id of Object.keys(n.Containers ?? {})) await docker.getNetwork(POD_NETWORK_NAME).disconnect({ Container: id, Force: true }).catch(() => undefined);
  try {
    await docker.getNetwork(POD_NETWORK_NAME).remove();
  } catch (e) {
    if (statusCode(e) !== 404) throw e;
  }
  return true;
}

/** ip_forward on, and bridged pod traffic through iptables (a service DNAT to a pod on the same bridge is un-done on the reply) where br_netfilter is loaded. */
export async function enableIpForward(path = '/proc/sys/net/ipv4/ip_forward', bridgeNf = '/proc/sys/net/bridge/bridge-nf-call-iptables'): Promise<void> {
  if ((await readFile(path, 'utf8')).trim() !== '1') await writeFile(path, '1\n');
  const nf = await readFile(bridgeNf, 'utf8').catch(() => undefined);
  if (nf !== undefined && nf.trim() !== '1') await writeFile(bridgeNf, '1\n');
}

/**
 * Hairpin mode on every port of the pods' bridge: a pod reaching a service that picks the pod
 * itself gets its packet back through the port it came from (with bridged traffic going through
 * iptables, the DNAT turns it into a bridged frame to that same port, which a bridge drops
 * otherwise). Kubernetes' kubelet does the same (hairpin-veth). Returns the ports changed.
 */
export async function ensureHairpin(run: CommandRunner): Promise<string[]> {
  const out = await run('ip', ['-d', '-j', 'link', 'show', 'master', POD_BRIDGE_NAME]);
  const ports = JSON.parse(out.trim() === '' ? '[]' : out) as { ifname: string; linkinfo?: { info_slave_data?: { hairpin?: boolean } } }[];
  const changed: string[] = [];
  for (const p of ports) {
    if (p.linkinfo?.info_slave_data?.hairpin === true) continue;
    // A port that went away meanwhile is fine.
    const ok = await run('ip', ['link', 'set', 'dev', p.ifname, 'type', 'bridge_slave', 'hairpin', 'on']).then(
      () => true,
      () => false,
    );
    if (ok) changed.push(p.ifname);
  }
  return changed;
}

export async function listRoutes(run: CommandRunner): Promise<RouteEntry[]> {
  const out = await run('ip', ['-j', '-4', 'route', 'show', 'table', 'main']);
  const all = JSON.parse(out.trim() === '' ? '[]' : out) as { dst?: string; gateway?: string; protocol?: string }[];
  return all.filter((r) => r.dst !== undefined && r.dst !== 'default').map((r) => ({ dst: r.dst!.includes('/') ? r.dst! : `${r.dst!}/32`, ...(r.gateway === undefined ? {} : { gateway: r.gateway }), ...(r.protocol === undefined ? {} : { protocol: r.protocol }) }));
}

/** Makes the routes to other nodes' pod CIDRs what `desired` says; returns what changed. */
export async function syncRoutes(run: CommandRunner, desired: readonly Route[], clusterCIDR: string): Promise<{ replaced: Route[]; removed: string[] }> {
  const { replace, remove } = routeChanges(await listRoutes(run), desired, clusterCIDR);
  for (const r of replace) await run('ip', ['route', 'replace', r.dst, 'via', r.via, 'proto', ROUTE_PROTOCOL]);
  for (const dst of remove) await run('ip', ['route', 'del', dst, 'proto', ROUTE_PROTOCOL]);
  return { replaced: replace, removed: remove };
}

/** Removes every route this agent wrote (protocol 77), wherever it points. */
export async function removeRoutes(run: CommandRunner): Promise<string[]> {
  const ours = (await listRoutes(run)).filter((r) => r.protocol === ROUTE_PROTOCOL);
  for (const r of ours) await run('ip', ['route', 'del', r.dst, 'proto', ROUTE_PROTOCOL]).catch(() => undefined);
  return ours.map((r) => r.dst);
}

const restoreLine = (chain: string, spec: readonly string[]): string => `-A ${chain} ${spec.map((w) => (/[\s"]/.test(w) ? `"${w.replace(/"/g, '\\"')}"` : w)).join(' ')}`;

/** Writes both chains atomically (one iptables-restore --noflush) and makes sure the jumps to them come first. */
export async function syncRules(run: CommandRunner, podCIDR: string, clusterCIDR: string): Promise<void> {
  const text = [
    '*filter',
    `:${FORWARD_CHAIN} - [0:0]`,
    ...forwardRules(clusterCIDR).map((r) => restoreLine(FORWARD_CHAIN, r)),
    'COMMIT',
    '*nat',
    `:${POSTROUTING_CHAIN} - [0:0]`,
    ...postroutingRules(podCIDR, clusterCIDR).map((r) => restoreLine(POSTROUTING_CHAIN, r)),
    'COMMIT',
    '',
  ].join('\n');
  await run('iptables-restore', ['-w', '5', '--noflush'], text);
  await ensureJump(run, 'filter', 'FORWARD', FORWARD_CHAIN);
  await ensureJump(run, 'nat', 'POSTROUTING', POSTROUTING_CHAIN);
}

async function ensureJump(run: CommandRunner, table: string, from: string, to: string): Promise<void> {
  const exists = await run('iptables', ['-w', '5', '-t', table, '-C', from, '-j', to]).then(
    () => true,
    () => false,
  );
  if (!exists) await run('iptables', ['-w', '5', '-t', table, '-I', from, '1', '-j', to]);
}

/** Removes the jumps and both chains (absent ones are fine). */
export async function removeRules(run: CommandRunner): Promise<void> {
  for (const [table, from, chain] of [
    ['filter', 'FORWARD', FORWARD_CHAIN],
    ['nat', 'POSTROUTING', POSTROUTING_CHAIN],
  ] as const) {
    // Bounded: a jump inserted more than once is removed once per pass.
    for (let i = 0; i < 20; i++) {
      const removed = await run('iptables', ['-w', '5', '-t', table, '-D', from, '-j', chain]).then(
        () => true,
        () => false,
      );
      if (!removed) break;
    }
    await run('iptables', ['-w', '5', '-t', table, '-F', chain]).catch(() => undefined);
    await run('iptables', ['-w', '5', '-t', table, '-X', chain]).catch(() => undefined);
  }
}
