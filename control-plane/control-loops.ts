// The scheduler and the controller manager inside shoal-control-plane (--control-loops). Every
// control-plane host runs both as candidates; a Lease in kube-system (kube-scheduler,
// kube-controller-manager) makes one host active for each, and a standby takes over once the
// active host stops renewing. They reach the cluster only through client/, here the API server of
// this host — when that process dies, so do its loops, and another host's candidates take over.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { ShoalClient, systemClock } from '../client/index.js';
import { ControllerManager, LeaderElector } from './controllers/index.js';
import { Scheduler } from './scheduler/index.js';

export interface ControlLoops {
  stop(): Promise<void>;
}

/** Starts both candidates against the API server at `apiServer` (host:port). */
export function startControlLoops(apiServer: string, memberName: string, log: Logger): ControlLoops {
  // Unique per process: a restarted host must not be mistaken for the holder it replaced.
  const identity = `${memberName}@${hostname()}-${randomBytes(4).toString('hex')}`;
  const client = new ShoalClient({ servers: [apiServer], clock: systemClock });
  const schedulerLog = log.child({ component: 'scheduler' });
  // A Scheduler cannot be restarted once stopped: each term of leadership gets a new one.
  let scheduler: Scheduler | undefined;
  const schedulerElector = new LeaderElector({
    client,
    clock: systemClock,
    log: schedulerLog.child({ component: 'leader-election' }),
    identity,
    namespace: 'kube-system',
    name: 'kube-scheduler',
    onStartedLeading: () => {
      schedulerLog.info({ identity }, 'leading: the scheduler runs here');
      scheduler = new Scheduler({ client, log: schedulerLog, clock: systemClock });
      scheduler.start().catch((e: unknown) => schedulerLog.error({ err: (e as Error).message }, 'scheduler failed to start'));
    },
    onStoppedLeading: async () => {
      const s = scheduler;
      scheduler = undefined;
      await s?.stop();
    },
  });
  const manager = new ControllerManager({ client, clock: systemClock, log: log.child({ component: 'controller-manager' }), config: { identity } });
  schedulerElector.start();
  manager.start();
  log.info({ identity, apiServer }, 'control loops started (scheduler and controller manager candidates)');
  return {
    async stop(): Promise<void> {
      // Stopping releases both leases, so another host's candidates take over at once.
      await Promise.allSettled([schedulerElector.stop(), manager.stop()]);
      await scheduler?.stop();
      client.close();
    },
  };
}
