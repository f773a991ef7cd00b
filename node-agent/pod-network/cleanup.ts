// `shoal-agent cleanup`'s pod network part: the docker network, the routes (protocol 77) and the
// forward/masquerade chains. Idempotent: what is already gone is skipped.
import type Docker from 'dockerode';
import { removeDockerNetwork, removeRoutes, removeRules } from './host-network.js';
import type { CommandRunner } from './host-network.js';

export async function cleanupPodNetwork(docker: Docker, run: CommandRunner): Promise<string[]> {
  const done: string[] = [];
  if (await removeDockerNetwork(docker)) done.push('docker network shoal removed');
  const routes = await removeRoutes(run);
  if (routes.length > 0) done.push(`routes removed: ${routes.join(', ')}`);
  await removeRules(run);
  done.push('pod network iptables chains removed');
  return done;
}
