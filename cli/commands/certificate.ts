// shoalctl certificate approve|deny <name...>: decides pending CertificateSigningRequests. The
// decision is a condition added through the "approval" subresource (RBAC: update on
// certificatesigningrequests/approval); the API server signs an approved request at once with
// the cluster signing CA. Approved and Denied are final.
import { Command } from 'commander';
import { csrCondition, rfc3339 } from '../../api/index.js';
import type { CsrCondition } from '../../api/index.js';
import type { CommandEnv } from '../command-env.js';
import { AlreadyReported, UsageError } from '../errors.js';

const RESOURCE = 'certificatesigningrequests';
const DECISIONS = { approve: { type: 'Approved', reason: 'ShoalctlApprove', done: 'approved' }, deny: { type: 'Denied', reason: 'ShoalctlDeny', done: 'denied' } } as const;
type Decision = keyof typeof DECISIONS;

function decideCommand(env: CommandEnv, decision: Decision): Command {
  const d = DECISIONS[decision];
  return new Command(decision)
    .description(`${decision === 'approve' ? 'Approve' : 'Deny'} certificate signing requests${decision === 'approve' ? ' (the API server signs them at once)' : ''}`)
    .argument('<name...>', 'CertificateSigningRequest names')
    .option('--message <text>', 'why (stored in the condition)')
    .action(async (names: string[], flags: { message?: string }, command: Command) => {
      if (names.length === 0) throw new UsageError('give the requests to decide: shoalctl certificate ' + decision + ' <name...>');
      await env.run(command, async (session) => {
        const api = await session.api();
        let failed = false;
        for (const name of names) {
          try {
            const csr = await api.get(RESOURCE, '', name);
            const view = csr as { status?: { conditions?: CsrCondition[] } };
            if (csrCondition(view, d.type) === undefined) {
              const condition = { type: d.type, status: 'True', reason: d.reason, message: flags.message ?? `${d.done} with shoalctl`, lastUpdateTime: rfc3339(env.ctx.now()) };
              // Pinned to the version read: a concurrent decision makes this fail instead of being overwritten.
              await api.patch(RESOURCE, '', name, { metadata: { resourceVersion: csr.metadata.resourceVersion }, status: { conditions: [...(view.status?.conditions ?? []), condition] } }, false, 'approval');
            }
            env.ctx.stdout(`certificatesigningrequest.certificates.k8s.io/${name} ${d.done}\n`);
          } catch (err) {
            failed = true;
            env.report(err, { kind: 'CertificateSigningRequest', name });
          }
        }
        if (failed) throw new AlreadyReported();
      });
    });
}

export function certificateCommand(env: CommandEnv): Command {
  return new Command('certificate')
    .description('Approve or deny certificate signing requests (shoalctl get csr lists them)')
    .addCommand(decideCommand(env, 'approve'))
    .addCommand(decideCommand(env, 'deny'));
}
