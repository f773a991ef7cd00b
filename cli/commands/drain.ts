// shoalctl drain <node>: cordon, then evict every pod there (pods/eviction, honouring grace
// periods) by kubectl's rules (cli/drain-plan.ts), and wait until they are gone so their
// controllers have recreated them elsewhere. No PodDisruptionBudgets in Shoal yet: nothing
// blocks an eviction. The node stays cordoned whatever happens (uncordon undoes it).
import { Command } from 'commander';
import type { KubeObject } from '../../api/kind.js';
import type { CommandEnv } from '../command-env.js';
import { planDrain } from '../drain-plan.js';
import { CliError, toCliError, UsageError } from '../errors.js';
import { parseTimeout } from '../session.js';
import type { ShoalApi } from '../shoal-api.js';
import { cordonLine } from './cordon.js';

const POLL_MS = 500;

interface DrainOptions {
  readonly ignoreDaemonsets?: boolean;
  readonly deleteEmptydirData?: boolean;
  readonly force?: boolean;
  readonly gracePeriod: string;
  readonly timeout: string;
}

const podKey = (p: KubeObject): string => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;
const isNotFound = (err: unknown): boolean => toCliError(err).code === 'NOT_FOUND';

function parseGrace(text: string): number | undefined {
  const n = Number(text);
  if (!Number.isInteger(n) || n < -1) throw new UsageError(`--grace-period must be a whole number >= -1 (-1 = each pod's own), got "${text}"`);
  return n < 0 ? undefined : n;
}

/** True when the pod (this incarnation: same uid) no longer exists. */
async function gone(api: ShoalApi, pod: KubeObject): Promise<boolean> {
  try {
    const live = await api.get('pods', pod.metadata.namespace ?? '', pod.metadata.name ?? '');
    return live.metadata.uid !== pod.metadata.uid;
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

export function drainCommand(env: CommandEnv): Command {
  return new Command('drain')
    .description('Cordon a node and evict its pods so their controllers run them elsewhere')
    .argument('<node>', 'node name')
    .option('--ignore-daemonsets', 'leave DaemonSet-managed pods (drain refuses without it when there are any)')
    .option('--delete-emptydir-data', 'evict pods with emptyDir volumes too (their data is lost)')
    .option('--force', 'evict pods no controller manages too (they are not recreated)')
    .option('--grace-period <seconds>', "termination grace period for each pod (-1 = the pod's own)", '-1')
    .option('--timeout <duration>', 'give up after this long (0 = wait forever)', '0s')
    .action(async (node: string, flags: DrainOptions, command: Command) => {
      const gracePeriodSeconds = parseGrace(flags.gracePeriod);
      const timeoutMs = parseTimeout(flags.timeout, '--timeout');
      const { ctx } = env;
      await env.run(command, async (session) => {
        const api = await session.api();
        const deadline = timeoutMs === undefined ? undefined : ctx.now().getTime() + timeoutMs;
        ctx.stdout(await cordonLine(api, node, true));
        const { items } = await api.list('pods', { fieldSelector: `spec.nodeName=${node}` });
        const plan = planDrain(items, { ignoreDaemonSets: flags.ignoreDaemonsets === true, deleteEmptyDirData: flags.deleteEmptydirData === true, force: flags.force === true });
        if (plan.errors.length > 0) throw new CliError('DRAIN_REFUSED', `unable to drain node "${node}": ${plan.errors.join('; ')}`);
        for (const w of plan.warnings) ctx.stderr(`Warning: ${w}\n`);

        const pending = new Map<string, KubeObject>();
        for (const pod of plan.evict) {
          ctx.stderr(`evicting pod ${podKey(pod)}\n`);
          try {
            await api.evict(pod.metadata.namespace ?? '', pod.metadata.name ?? '', { dryRun: false, ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }) });
          } catch (err) {
            if (!isNotFound(err)) throw new CliError('EVICTION_FAILED', `unable to drain node "${node}": error when evicting pod "${podKey(pod)}": ${toCliError(err).message}`, { cause: err });
          }
          pending.set(podKey(pod), pod);
        }
        // Bounded by --timeout (and Ctrl-C); each pass asks once per remaining pod.
        while (pending.size > 0) {
          for (const [key, pod] of pending) {
            if (!(await gone(api, pod))) continue;
            pending.delete(key);
            ctx.stdout(`pod/${pod.metadata.name ?? ''} evicted\n`);
          }
          if (pending.size === 0) break;
          if (ctx.interrupted.aborted) throw new CliError('INTERRUPTED', `interrupted while draining node "${node}"`, { exitCode: 130 });
          const left = deadline === undefined ? POLL_MS : deadline - ctx.now().getTime();
          if (left <= 0) throw new CliError('TIMEOUT', `unable to drain node "${node}": timed out after ${flags.timeout} waiting for pods to terminate: ${[...pending.keys()].join(', ')}`);
          await ctx.sleep(Math.min(POLL_MS, left), ctx.interrupted);
        }
        ctx.stdout(`node/${node} drained\n`);
      });
    });
}
