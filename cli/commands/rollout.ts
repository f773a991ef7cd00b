// shoalctl rollout status|history|undo|restart|pause|resume <type>/<name>: kubectl's rollout
// commands for Deployments (and status/restart for DaemonSets and StatefulSets). The rules
// (status verdicts, revisions, rollback choice, patches) are workloads/'s; this file reads,
// patches and prints.
import { Command } from 'commander';
import type { Deployment, ReplicaSet } from '../../api/index.js';
import type { KubeObject } from '../../api/kind.js';
import { deploymentRevisions, pausePatch, restartPatch, resumePatch, rollbackTarget, RollbackError } from '../../workloads/index.js';
import { threeWayMergePatch } from '../apply/three-way-merge.js';
import type { JsonObject } from '../apply/three-way-merge.js';
import type { CommandEnv } from '../command-env.js';
import { writePodTemplate } from '../describe/describe-workloads.js';
import { DescribeWriter } from '../describe/describe-writer.js';
import { AlreadyReported, CliError, UsageError } from '../errors.js';
import { parseObjectRefs } from '../object-refs.js';
import type { ResourceInfo } from '../resources.js';
import { typeName } from '../resources.js';
import { rolloutKind, waitForRollout } from '../rollout-wait.js';
import type { RolloutKind } from '../rollout-wait.js';
import { parseTimeout } from '../session.js';
import type { Session } from '../session.js';

/** `deployments.apps "web"`, as kubectl names an object in its errors. */
const qualified = (info: ResourceInfo, name: string): string => `${info.group === '' ? info.resource : `${info.resource}.${info.group}`} "${name}"`;

export function parseRevision(text: string | undefined, flag: string): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a whole number >= 0, got "${text}"`);
  return n;
}

function parseBool(text: string | boolean): boolean {
  if (text === true || text === 'true') return true;
  if (text === false || text === 'false') return false;
  throw new UsageError(`invalid boolean "${String(text)}": use true or false`);
}

interface Target {
  readonly info: ResourceInfo;
  readonly kind: RolloutKind;
  readonly namespace: string;
  readonly name: string;
}

/** The objects named by `deploy/web`, `deployment web api`, ... */
async function targets(session: Session, args: readonly string[], verb: string): Promise<Target[]> {
  const out: Target[] = [];
  for (const ref of parseObjectRefs(args, { allowManyTypes: false })) {
    if (ref.names.length === 0) throw new UsageError(`give the object: ${verb} TYPE/NAME (e.g. deployment/web)`);
    const info = await session.resolve(ref.type);
    const kind = rolloutKind(info.kind, verb);
    const namespace = await session.objectNamespace(info);
    for (const name of ref.names) out.push({ info, kind, namespace, name });
  }
  return out;
}

/** Runs `each` for every target; one failure is reported and the rest still run (exit 1). */
async function forEachTarget(env: CommandEnv, command: Command, args: readonly string[], verb: string, each: (session: Session, t: Target) => Promise<void>): Promise<void> {
  await env.run(command, async (session) => {
    let failed = false;
    for (const t of await targets(session, args, verb)) {
      try {
        await each(session, t);
      } catch (err) {
        failed = true;
        env.report(err, { kind: t.kind, name: t.name });
      }
    }
    if (failed) throw new AlreadyReported();
  });
}

function onlyDeployments(t: Target, what: string): void {
  if (t.kind !== 'Deployment') throw new CliError('UNSUPPORTED', `${qualified(t.info, t.name)}: ${what} is only supported for deployments in Shoal`);
}

async function deploymentHistory(session: Session, t: Target): Promise<{ deployment: Deployment; revisions: ReturnType<typeof deploymentRevisions> }> {
  const api = await session.api();
  const deployment = (await api.get(t.info.resource, t.namespace, t.name)) as unknown as Deployment;
  const replicaSets = (await api.list('replicasets', { namespace: t.namespace })).items as unknown as ReplicaSet[];
  return { deployment, revisions: deploymentRevisions(deployment, replicaSets) };
}

/** kubectl's history table: REVISION and CHANGE-CAUSE. */
export function historyTable(revisions: readonly { revision: number; changeCause: string }[]): string {
  const rows = [['REVISION', 'CHANGE-CAUSE'], ...revisions.map((r) => [String(r.revision), r.changeCause === '' ? '<none>' : r.changeCause])];
  const width = Math.max(...rows.map((r) => (r[0] ?? '').length)) + 2;
  return rows.map(([rev = '', cause = '']) => rev.padEnd(width) + cause).join('\n') + '\n';
}

function statusCommand(env: CommandEnv): Command {
  return new Command('status')
    .description('Wait for a rollout to finish, printing its progress; exit 1 if it fails or times out')
    .argument('<resource>', 'type/name (deployment/web, daemonset/x, statefulset/y), or type')
    .argument('[name]', 'object name')
    .option('-w, --watch [bool]', 'watch until the rollout is done (--watch=false prints the status once)', parseBool, true)
    .option('--timeout <duration>', 'give up after this long (0 = wait forever)', '0s')
    .action(async (resource: string, name: string | undefined, flags: { watch: boolean; timeout: string }, command: Command) => {
      const timeoutMs = parseTimeout(flags.timeout, '--timeout');
      await env.run(command, async (session) => {
        const all = await targets(session, name === undefined ? [resource] : [resource, name], 'rollout status');
        const [t] = all;
        if (t === undefined || all.length !== 1) throw new UsageError('rollout status works on one object at a time');
        await waitForRollout({ api: await session.api(), ctx: env.ctx, resource: t.info.resource, kind: t.kind, namespace: t.namespace, name: t.name, watch: flags.watch, timeoutMs });
      });
    });
}

function historyCommand(env: CommandEnv): Command {
  return new Command('history')
    .description("Show a deployment's revisions, or one revision's pod template (--revision)")
    .argument('<resource>', 'type/name, or type')
    .argument('[name...]', 'object names')
    .option('--revision <n>', 'print the pod template of this revision')
    .action(async (resource: string, names: string[], flags: { revision?: string }, command: Command) => {
      const revision = parseRevision(flags.revision, '--revision');
      await forEachTarget(env, command, [resource, ...names], 'rollout history', async (session, t) => {
        onlyDeployments(t, 'rollout history (DaemonSet and StatefulSet revisions need ControllerRevisions, not yet in Shoal)');
        const { revisions } = await deploymentHistory(session, t);
        const subject = `${typeName(t.info)}/${t.name}`;
        if (revision === 0) {
          env.ctx.stdout(`${subject} \n${historyTable(revisions)}\n`);
          return;
        }
        const r = revisions.find((x) => x.revision === revision);
        if (r === undefined) throw new CliError('NOT_FOUND', `unable to find the specified revision ${revision} of ${qualified(t.info, t.name)} (have: ${revisions.map((x) => x.revision).join(', ') || 'none'})`);
        const w = new DescribeWriter();
        writePodTemplate(w, r.template);
        env.ctx.stdout(`${subject} with revision #${revision}\n${w.render()}\n`);
      });
    });
}

function undoCommand(env: CommandEnv): Command {
  return new Command('undo')
    .description('Roll a deployment back to its previous revision (or --to-revision N)')
    .argument('<resource>', 'type/name, or type')
    .argument('[name...]', 'object names')
    .option('--to-revision <n>', 'the revision to roll back to (0 = the previous one)', '0')
    .action(async (resource: string, names: string[], flags: { toRevision: string }, command: Command) => {
      const toRevision = parseRevision(flags.toRevision, '--to-revision');
      await forEachTarget(env, command, [resource, ...names], 'rollout undo', async (session, t) => {
        onlyDeployments(t, 'rollout undo');
        const { deployment, revisions } = await deploymentHistory(session, t);
        let decision;
        try {
          decision = rollbackTarget(deployment, revisions, toRevision);
        } catch (err) {
          if (err instanceof RollbackError) throw new CliError(err.code, err.message);
          throw err;
        }
        const subject = `${typeName(t.info)}/${t.name}`;
        if (!decision.changed) {
          env.ctx.stdout(`${subject} skipped rollback (current template already matches revision ${decision.target.revision})\n`);
          return;
        }
        // A two-way patch (fields the old template lacks become null) pinned to what we read.
        const live = deployment.spec.template as unknown as JsonObject;
        const templatePatch = threeWayMergePatch(live, decision.target.template as unknown as JsonObject, live);
        const patch = { metadata: { resourceVersion: deployment.metadata.resourceVersion ?? '' }, spec: { template: templatePatch } };
        await (await session.api()).patch(t.info.resource, t.namespace, t.name, patch, false);
        env.ctx.stdout(`${subject} rolled back\n`);
      });
    });
}

function restartCommand(env: CommandEnv): Command {
  return new Command('restart')
    .description('Replace every pod of a deployment, daemonset or statefulset by a rolling update')
    .argument('<resource>', 'type/name, or type')
    .argument('[name...]', 'object names')
    .action(async (resource: string, names: string[], _flags: unknown, command: Command) => {
      await forEachTarget(env, command, [resource, ...names], 'rollout restart', async (session, t) => {
        const api = await session.api();
        if (t.kind === 'Deployment') {
          const live = await api.get(t.info.resource, t.namespace, t.name);
          if ((live.spec as { paused?: boolean } | undefined)?.paused === true) throw new CliError('PAUSED', `${qualified(t.info, t.name)} can't restart paused deployment (run rollout resume first)`);
        }
        await api.patch(t.info.resource, t.namespace, t.name, restartPatch(env.ctx.now()), false);
        env.ctx.stdout(`${typeName(t.info)}/${t.name} restarted\n`);
      });
    });
}

function pauseResumeCommand(env: CommandEnv, verb: 'pause' | 'resume'): Command {
  const pausing = verb === 'pause';
  return new Command(verb)
    .description(pausing ? 'Pause a deployment: template changes wait until it is resumed' : 'Resume a paused deployment')
    .argument('<resource>', 'type/name, or type')
    .argument('[name...]', 'object names')
    .action(async (resource: string, names: string[], _flags: unknown, command: Command) => {
      await forEachTarget(env, command, [resource, ...names], `rollout ${verb}`, async (session, t) => {
        if (t.kind !== 'Deployment') throw new CliError('UNSUPPORTED', `${qualified(t.info, t.name)} ${pausing ? 'pausing' : 'resuming'} is not supported`);
        const api = await session.api();
        const live: KubeObject = await api.get(t.info.resource, t.namespace, t.name);
        const paused = (live.spec as { paused?: boolean } | undefined)?.paused === true;
        if (pausing && paused) throw new CliError('ALREADY_PAUSED', `${qualified(t.info, t.name)} is already paused`);
        if (!pausing && !paused) throw new CliError('NOT_PAUSED', `${qualified(t.info, t.name)} is not paused`);
        await api.patch(t.info.resource, t.namespace, t.name, pausing ? pausePatch : resumePatch, false);
        env.ctx.stdout(`${typeName(t.info)}/${t.name} ${pausing ? 'paused' : 'resumed'}\n`);
      });
    });
}

export function rolloutCommand(env: CommandEnv): Command {
  return new Command('rollout')
    .description('Manage the rollout of a deployment, daemonset or statefulset')
    .addCommand(statusCommand(env))
    .addCommand(historyCommand(env))
    .addCommand(undoCommand(env))
    .addCommand(restartCommand(env))
    .addCommand(pauseResumeCommand(env, 'pause'))
    .addCommand(pauseResumeCommand(env, 'resume'));
}
