// ClusterAccess over the dev-mode lab of test/lab/helpers/lab.ts, so end-to-end steps can be
// developed and run without the release bundle. Agents are tracked per worker (index = wN - 1):
// stopWorker stops that agent then the worker's dockerd; startWorker starts them again.
import type { ChildProcess } from 'node:child_process';
import type { Lab } from '../../lab/helpers/lab.js';
import type { ClusterAccess } from './cluster-access.js';

export function devLabAccess(lab: Lab, agents: (ChildProcess | undefined)[]): ClusterAccess {
  const workers = Array.from({ length: lab.workers }, (_, i) => `w${i + 1}`);
  const index = (w: string): number => {
    const i = workers.indexOf(w);
    if (i < 0) throw new Error(`no worker "${w}" in lab ${lab.name} (have ${workers.join(', ')})`);
    return i;
  };
  return {
    workers,
    shoalctl: (args, opts) => lab.shoalctl(args, opts),
    shoalctlJson: (args) => lab.shoalctlJson(args),
    exec: (host, cmd, args, opts) => lab.exec(host, cmd, args, opts),
    docker: (worker, args, timeoutMs) => lab.docker(worker, args, timeoutMs),
    async stopWorker(w) {
      const i = index(w);
      const agent = agents[i];
      if (agent !== undefined) await lab.stop(agent);
      agents[i] = undefined;
      await lab.dockerd(w, 'stop');
    },
    async startWorker(w) {
      const i = index(w);
      await lab.dockerd(w, 'start');
      agents[i] = await lab.startAgent(i + 1);
    },
  };
}
