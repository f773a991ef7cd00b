// The scheduler and the controller manager inside shoal-control-plane (--control-loops). Every
// control-plane host runs both as candidates; a Lease in kube-system (kube-scheduler,
// kube-controller-manager) makes one host active for each, and a standby takes over once the
// active host stops renewing. They reach the cluster only through client/: by default the API
// server of this host without credentials (dev mode); with --scheduler-config /
// --controller-manager-config, the servers and credentials of those client config files, so each
// loop acts as its own identity (system:kube-scheduler, system:kube-controller-manager).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { clientOptionsFromConfig, loadConfig, ShoalClient, systemClock } from '../client/index.js';
import type { ShoalClientOptions } from '../client/index.js';
import type { ApiConfig } from './apiserver/config.js';
import type { NodeIpamConfig } from './apiserver/node-ipam-flags.js';
import type { NodeLifecycleConfig } from './apiserver/node-lifecycle-flags.js';
import { ControllerManager, LeaderElector } from './controllers/index.js';
import type { ControllerManagerConfig, ServiceAccountTokens } from './controllers/index.js';
import { Scheduler } from './scheduler/index.js';
import { serviceAccountSigner } from './service-account-tokens.js';
import { ConfigError } from './store/index.js';

export interface ControlLoops {
  stop(): Promise<void>;
}

/** What the loops were configured with, read before the member starts (bad files fail the start). */
export interface ControlLoopsSettings {
  /** Client options per loop; undefined = no credentials, to this host's API address. */
  readonly scheduler: ShoalClientOptions | undefined;
  readonly controllerManager: ShoalClientOptions | undefined;
  /** Signs ServiceAccount token Secrets; undefined = no token Secrets. */
  readonly serviceAccountTokens: ServiceAccountTokens | undefined;
  /** Node IPAM flags (--allocate-node-cidrs, --cluster-cidr, --node-cidr-mask-size); undefined = defaults. */
  readonly nodeIpam?: NodeIpamConfig;
  /** --node-monitor-grace-period and --node-monitor-period; undefined = Kubernetes' defaults (40 s, 5 s). */
  readonly nodeLifecycle?: Pick<NodeLifecycleConfig, 'nodeMonitorGracePeriodMs' | 'nodeMonitorPeriodMs'>;
}

/** The token issuer (and audience) until the API server's --api-service-account-issuer is passed in. */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'shoal';

async function readFlagFile(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`--${flag}: cannot read ${path}: ${(e as Error).message}`);
  }
}

async function clientOptions(flag: string, path: string | undefined): Promise<{ options: ShoalClientOptions; caPem: string } | undefined> {
  if (path === undefined) return undefined;
  try {
    const { config } = await loadConfig({ path });
    const options = await clientOptionsFromConfig(config, path);
    const c = options.credentials;
    const caPem = c?.kind === 'tls' && c.ca !== undefined ? Buffer.from(c.ca).toString('utf8') : '';
    return { options, caPem };
  } catch (e) {
    throw new ConfigError(`--${flag}: ${(e as Error).message}`);
  }
}

/** Reads the loops' client config files and signing key (flags of C1). */
export async function loadControlLoopsSettings(api: ApiConfig, issuer = DEFAULT_SERVICE_ACCOUNT_ISSUER): Promise<ControlLoopsSettings> {
  const scheduler = await clientOptions('scheduler-config', api.schedulerConfig);
  const controllerManager = await clientOptions('controller-manager-config', api.controllerManagerConfig);
  let serviceAccountTokens: ServiceAccountTokens | undefined;
  const keyFile = api.serviceAccountPrivateKeyFile;
  if (keyFile !== undefined) {
    const pem = await readFlagFile('service-account-private-key-file', keyFile);
    try {
      // ca.crt of the token Secrets: the CA the controller manager itself trusts for the API.
      serviceAccountTokens = serviceAccountSigner({ privateKeyPem: pem, source: keyFile, issuer, caPem: controllerManager?.caPem ?? '', clock: systemClock });
    } catch (e) {
      throw new ConfigError(`--service-account-private-key-file: ${(e as Error).message}`);
    }
  }
  return { scheduler: scheduler?.options, controllerManager: controllerManager?.options, serviceAccountTokens, nodeIpam: api.nodeIpam, nodeLifecycle: api.nodeLifecycle };
}

/** The controller manager's config from the loops' flags (pure). */
export function controllerManagerConfig(settings: ControlLoopsSettings, identity: string): ControllerManagerConfig {
  const ipam = settings.nodeIpam;
  const life = settings.nodeLifecycle;
  return {
    identity,
    ...(ipam === undefined ? {} : { allocateNodeCIDRs: ipam.allocateNodeCIDRs, nodeIpam: { clusterCIDR: ipam.clusterCIDR, nodeCIDRMaskSize: ipam.nodeCIDRMaskSize } }),
    ...(life === undefined ? {} : { nodeLifecycle: { gracePeriodMs: life.nodeMonitorGracePeriodMs, monitorPeriodMs: life.nodeMonitorPeriodMs } }),
  };
}

/** Starts both candidates; `localApi` (host:port of this host's API server) serves loops without a config file. */
export function startControlLoops(settings: ControlLoopsSettings, localApi: string, memberName: string, log: Logger): ControlLoops {
  // Unique per process: a restarted host must not be mistaken for the holder it replaced.
  const identity = `${memberName}@${hostname()}-${randomBytes(4).toString('hex')}`;
  const local: ShoalClientOptions = { servers: [localApi] };
  const schedulerClient = new ShoalClient({ ...(settings.scheduler ?? local), clock: systemClock });
  const managerClient = new ShoalClient({ ...(settings.controllerManager ?? local), clock: systemClock });
  const schedulerLog = log.child({ component: 'scheduler' });
  // A Scheduler cannot be restarted once stopped: each term of leadership gets a new one.
  let scheduler: Scheduler | undefined;
  const runScheduler = (): void => {
    const s = new Scheduler({ client: schedulerClient, log: schedulerLog, clock: systemClock });
    scheduler = s;
    s.start().then(
      async (started) => {
        if (started || scheduler !== s) return;
        // Still leading but the caches never listed (API unreachable for the whole sync
        // timeout): start over rather than hold the lease with a scheduler that never schedules.
        schedulerLog.warn('scheduler caches did not sync; starting a new scheduler');
        await s.stop();
        if (scheduler === s) runScheduler();
      },
      (e: unknown) => schedulerLog.error({ err: (e as Error).message }, 'scheduler failed to start'),
    );
  };
  const schedulerElector = new LeaderElector({
    client: schedulerClient,
    clock: systemClock,
    log: schedulerLog.child({ component: 'leader-election' }),
    identity,
    namespace: 'kube-system',
    name: 'kube-scheduler',
    onStartedLeading: () => {
      schedulerLog.info({ identity }, 'leading: the scheduler runs here');
      runScheduler();
    },
    onStoppedLeading: async () => {
      const s = scheduler;
      scheduler = undefined;
      await s?.stop();
    },
  });
  const manager = new ControllerManager({
    client: managerClient,
    clock: systemClock,
    log: log.child({ component: 'controller-manager' }),
    config: controllerManagerConfig(settings, identity),
    ...(settings.serviceAccountTokens === undefined ? {} : { serviceAccountTokens: settings.serviceAccountTokens }),
  });
  schedulerElector.start();
  manager.start();
  log.info(
    { identity, scheduler: (settings.scheduler ?? local).servers, controllerManager: (settings.controllerManager ?? local).servers, serviceAccountTokens: settings.serviceAccountTokens !== undefined },
    'control loops started (scheduler and controller manager candidates)',
  );
  return {
    async stop(): Promise<void> {
      // Stopping releases both leases, so another host's candidates take over at once.
      await Promise.allSettled([schedulerElector.stop(), manager.stop()]);
      await scheduler?.stop();
      schedulerClient.close();
      managerClient.close();
    },
  };
}
