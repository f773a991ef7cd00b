// shoalctl auth can-i VERB RESOURCE [NAME]: asks the API server whether the caller (or, with
// --as/--as-group, another user; that needs the "impersonate" right) may do it. The answer
// comes from the server's own authorizer through a SelfSubjectAccessReview. Prints yes or no;
// "no" exits 1, like kubectl.
import { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { CliError } from '../errors.js';
import type { ResourceInfo } from '../resources.js';

interface CanIFlags {
  as?: string;
  asGroup?: string[];
}

/** "deployments.apps" → {resource, group} when discovery does not know the name. */
function splitTyped(typed: string): { resource: string; group: string } {
  const [resource, subresource] = typed.toLowerCase().split('/');
  const dot = resource!.indexOf('.');
  const base = dot < 0 ? resource! : resource!.slice(0, dot);
  return { resource: subresource === undefined ? base : `${base}/${subresource}`, group: dot < 0 ? '' : resource!.slice(dot + 1) };
}

export function authCommand(env: CommandEnv): Command {
  const auth = new Command('auth').description('Inspect authorization');
  auth.addCommand(
    new Command('can-i')
      .description('Check whether an action is allowed (e.g. `auth can-i create deployments -n team-a`, `auth can-i list pods --as alice`)')
      .argument('<verb>', 'get, list, watch, create, update, patch, delete, ... or *')
      .argument('<resource>', 'pods, deployments.apps, pods/status, ...')
      .argument('[name]', 'one object')
      .option('--as <user>', 'ask for this user (needs the impersonate right)')
      .option('--as-group <group>', 'with this group (repeatable; needs --as)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
      .action(async (verb: string, typed: string, name: string | undefined, flags: CanIFlags, command: Command) => {
        await env.run(command, async (session) => {
          if (flags.asGroup !== undefined && flags.as === undefined) throw new CliError('USAGE', '--as-group needs --as', { exitCode: 2 });
          const api = await session.api(flags.as === undefined ? undefined : { user: flags.as, groups: flags.asGroup ?? [] });
          const [base, subresource] = typed.split('/');
          let info: ResourceInfo | undefined;
          try {
            info = await session.resolve(base!);
          } catch {
            info = undefined; // not served: ask as typed (RBAC rules may name anything)
          }
          const split = splitTyped(typed);
          const namespace = info === undefined || info.namespaced ? await session.namespace() : '';
          const review = {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            metadata: {},
            spec: {
              resourceAttributes: {
                verb,
                group: info?.group ?? split.group,
                resource: info?.resource ?? split.resource.split('/')[0],
                ...(subresource !== undefined ? { subresource } : {}),
                namespace: session.allNamespaces ? '' : namespace,
                ...(name !== undefined ? { name } : {}),
              },
            },
          };
          const answer = await api.create('selfsubjectaccessreviews', '', review, false);
          const status = (answer as { status?: { allowed?: boolean; reason?: string } }).status;
          if (status?.allowed === true) {
            env.ctx.stdout('yes\n');
            return;
          }
          env.ctx.stdout(`no${status?.reason ? ` - ${status.reason}` : ''}\n`);
          throw new CliError('DENIED', 'not allowed', { exitCode: 1 });
        });
      }),
  );
  return auth;
}
