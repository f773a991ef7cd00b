// shoalctl token create|list|delete: bootstrap tokens (contract C3), the credential a new worker
// joins with. A token is a Secret kube-system/bootstrap-token-<id>; `create` prints the worker's
// join line with the CA pin (the CA from the config's credentials.ca, else from the ConfigMap
// kube-public/cluster-info). `list` never shows the secret half.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Command } from 'commander';
import { humanDuration, rfc3339 } from '../../api/index.js';
import type { KubeObject } from '../../api/index.js';
import {
  BOOTSTRAP_TOKEN_NAMESPACE,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  bootstrapTokenSecret,
  bootstrapTokenSecretName,
  describeBootstrapToken,
  generateBootstrapToken,
  parseBootstrapToken,
} from '../../control-plane/apiserver/security/index.js';
import type { SecretLike } from '../../control-plane/apiserver/security/index.js';
import { caCertHash } from '../../control-plane/pki/index.js';
import type { CommandEnv } from '../command-env.js';
import { AlreadyReported, CliError, UsageError } from '../errors.js';
import { renderTable } from '../output/table.js';
import type { Session } from '../session.js';

export const DEFAULT_TOKEN_GROUPS = ['system:bootstrappers:shoal:default-node-token'] as const;
const DURATION = /^(\d+)(s|m|h|d)?$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "24h", "30m", "7d", "0" (never expires) → milliseconds (0 = never). */
export function parseTtl(text: string): number {
  const m = DURATION.exec(text.trim());
  if (m === null) throw new UsageError(`--ttl "${text}": use a duration such as 24h, 30m or 7d (0 = never expires)`);
  return Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS];
}

/** The cluster CA's PEM: the config's credentials.ca file, else cluster-info's ca.crt. */
async function clusterCaPem(session: Session): Promise<string> {
  const { config, path } = await session.config();
  const ca = config.credentials['ca'];
  if (ca !== undefined) {
    const file = isAbsolute(ca) ? ca : resolve(dirname(path), ca);
    try {
      return await readFile(file, 'utf8');
    } catch (e) {
      throw new CliError('CONFIG', `${path}: credentials.ca: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const info = await (await session.api()).get('configmaps', 'kube-public', 'cluster-info').catch(() => undefined);
  const pem = (info as { data?: Record<string, string> } | undefined)?.data?.['ca.crt'];
  if (pem === undefined || pem === '') {
    throw new CliError('NO_CA', `no cluster CA for the join line: ${path} has no credentials.ca and ConfigMap kube-public/cluster-info has no ca.crt`);
  }
  return pem;
}

async function firstServer(session: Session): Promise<string> {
  const fromFlag = session.flags.server?.split(',').map((s) => s.trim()).find((s) => s !== '');
  const server = fromFlag ?? (await session.config()).config.servers[0];
  if (server === undefined) throw new UsageError('no API server in the config or --server');
  return server;
}

function createCommand(env: CommandEnv): Command {
  return new Command('create')
    .description('Create a bootstrap token and print the join line for a worker')
    .option('--ttl <duration>', 'lifetime of the token (0 = never expires)', '24h')
    .option('--description <text>', 'what the token is for (shown by token list)')
    .option('--groups <groups>', 'extra groups the token authenticates as, comma-separated (each "system:bootstrappers:...")', DEFAULT_TOKEN_GROUPS.join(','))
    .action(async (flags: { ttl: string; description?: string; groups: string }, command: Command) => {
      const ttlMs = parseTtl(flags.ttl);
      const extraGroups = flags.groups.split(',').map((g) => g.trim()).filter((g) => g !== '');
      await env.run(command, async (session) => {
        // Everything the join line needs is found before the token exists: nothing half-made.
        const server = await firstServer(session);
        const hash = caCertHash(await clusterCaPem(session));
        const token = generateBootstrapToken(env.ctx.randomBytes);
        const expiration = ttlMs === 0 ? undefined : rfc3339(new Date(env.ctx.now().getTime() + ttlMs));
        let secret;
        try {
          secret = bootstrapTokenSecret({ token, extraGroups, ...(expiration === undefined ? {} : { expiration }), ...(flags.description === undefined ? {} : { description: flags.description }) });
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        await (await session.api()).create('secrets', BOOTSTRAP_TOKEN_NAMESPACE, secret as unknown as KubeObject, false);
        env.ctx.stdout(`shoal-agent join ${server} --token ${token} --ca-cert-hash ${hash}\n`);
      });
    });
}

function listCommand(env: CommandEnv): Command {
  return new Command('list')
    .description('List bootstrap tokens (ids only: the secret half is never shown)')
    .action(async (_flags: unknown, command: Command) => {
      await env.run(command, async (session) => {
        const now = env.ctx.now();
        const { items } = await (await session.api()).list('secrets', { namespace: BOOTSTRAP_TOKEN_NAMESPACE, fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}` });
        const rows = items
          .map((s) => describeBootstrapToken(s as unknown as SecretLike, now))
          .filter((d) => d !== undefined)
          .map((d) => {
            const ttl = d.expires === '' ? '<forever>' : d.expired ? '<expired>' : humanDuration(Date.parse(d.expires) - now.getTime());
            return [d.id, ttl, d.expires === '' ? '<never>' : d.expires, d.usages.join(','), d.description === '' ? '<none>' : d.description, d.extraGroups.join(',')];
          });
        if (rows.length === 0) {
          env.ctx.stderr('No bootstrap tokens.\n');
          return;
        }
        env.ctx.stdout(renderTable({ headers: ['ID', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA-GROUPS'], rows }));
      });
    });
}

function deleteCommand(env: CommandEnv): Command {
  return new Command('delete')
    .description('Delete bootstrap tokens (by id or whole token): they stop working at once')
    .argument('<id...>', 'token ids (6 characters) or whole tokens')
    .action(async (ids: string[], _flags: unknown, command: Command) => {
      const parsed = ids.map((raw) => {
        if (/^[a-z0-9]{6}$/.test(raw)) return raw;
        const t = parseBootstrapToken(raw);
        // The input is not echoed: it may be a whole token with a typo.
        if (t === undefined) throw new UsageError('a token id is 6 characters of [a-z0-9] (or give the whole token "<id>.<secret>")');
        return t.id;
      });
      await env.run(command, async (session) => {
        const api = await session.api();
        let failed = false;
        for (const id of parsed) {
          try {
            await api.delete('secrets', BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenSecretName(id), { dryRun: false });
            env.ctx.stdout(`bootstrap token "${id}" deleted\n`);
          } catch (err) {
            failed = true;
            env.report(err, { kind: 'Secret', name: bootstrapTokenSecretName(id) });
          }
        }
        if (failed) throw new AlreadyReported();
      });
    });
}

export function tokenCommand(env: CommandEnv): Command {
  return new Command('token').description('Manage bootstrap tokens (how new workers join)').addCommand(createCommand(env)).addCommand(listCommand(env)).addCommand(deleteCommand(env));
}
