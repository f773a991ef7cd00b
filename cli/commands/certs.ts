// shoalctl certs check-expiration|renew: the certificates of one control-plane host, on its disk
// (<data dir>/pki, control-plane/pki's layout), like `kubeadm certs`. Renewal re-issues a
// certificate for the same subject, names and usage from the CA in the same directory, keeping
// the key unless --new-key; running processes read certificates at start, so they must restart.
import { access, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Command } from 'commander';
import { humanDuration } from '../../api/index.js';
import { inspectCertificate, loadCa, PKI_PAIRS, pkiLayout, PkiError, PrivateKey, renewCertificate, writeIssued, writePair } from '../../control-plane/pki/index.js';
import type { PkiDeps, PkiLayout, PkiPair } from '../../control-plane/pki/index.js';
import type { CommandEnv } from '../command-env.js';
import { CliError, UsageError } from '../errors.js';
import { renderTable } from '../output/table.js';

export const DEFAULT_DATA_DIR = '/var/lib/shoal';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** kubeadm's EXPIRES format: "Dec 04, 2027 16:59 UTC". */
export function expiresText(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())}, ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`;
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError('FILE', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** --pki-dir is a control plane's data dir (certificates in its pki/), or that pki/ folder itself. */
async function layoutOf(dir: string): Promise<PkiLayout> {
  const layout = pkiLayout(dir);
  if (await exists(layout.pairs.ca.cert)) return layout;
  if (basename(dir) === 'pki' && (await exists(join(dir, 'ca.crt')))) return pkiLayout(dirname(dir));
  throw new CliError('NO_PKI', `no ${layout.pairs.ca.cert}: give a control plane's data dir with --pki-dir (default ${DEFAULT_DATA_DIR})`);
}

const pkiFailure = (e: unknown, what: string): never => {
  if (e instanceof PkiError) throw new CliError(e.code, `${what}: ${e.message}`);
  throw e;
};

function checkExpirationCommand(env: CommandEnv): Command {
  return new Command('check-expiration')
    .description("Show when this control plane's certificates expire")
    .option('--pki-dir <dir>', "the control plane's data dir (certificates in <dir>/pki)", DEFAULT_DATA_DIR)
    .action(async (flags: { pkiDir: string }) => {
      const layout = await layoutOf(flags.pkiDir);
      const now = env.ctx.now();
      const rows: string[][] = [];
      for (const pair of PKI_PAIRS) {
        const path = layout.pairs[pair].cert;
        if (!(await exists(path))) continue;
        const e = await readText(path).then((pem) => inspectCertificate(pem, now)).catch((err: unknown) => pkiFailure(err, path));
        const residual = e.expired ? '<expired>' : e.notYetValid ? `<not yet valid: from ${expiresText(e.notBefore)}>` : humanDuration(e.notAfter.getTime() - now.getTime());
        rows.push([pair, expiresText(e.notAfter), residual, e.isCa ? '-' : 'ca']);
      }
      env.ctx.stdout(renderTable({ headers: ['CERTIFICATE', 'EXPIRES', 'RESIDUAL-TIME', 'CA'], rows }));
    });
}

function renewCommand(env: CommandEnv): Command {
  return new Command('renew')
    .description("Renew a certificate of this control plane (or all) with the CA in the same directory")
    .argument('<name>', `one of ${PKI_PAIRS.filter((p) => p !== 'ca').join(', ')}, or "all"`)
    .option('--pki-dir <dir>', "the control plane's data dir (certificates in <dir>/pki)", DEFAULT_DATA_DIR)
    .option('--new-key', 'generate a new key pair instead of keeping the current key')
    .action(async (name: string, flags: { pkiDir: string; newKey?: boolean }) => {
      const leaves = PKI_PAIRS.filter((p): p is Exclude<PkiPair, 'ca'> => p !== 'ca');
      if (name === 'ca') throw new UsageError('the CA is not renewed here: every certificate of the cluster chains to it');
      if (name !== 'all' && !(leaves as readonly string[]).includes(name)) throw new UsageError(`unknown certificate "${name}": use one of ${leaves.join(', ')}, or all`);
      const layout = await layoutOf(flags.pkiDir);
      const deps: PkiDeps = { now: env.ctx.now, randomBytes: env.ctx.randomBytes };
      const ca = await loadCa(await readText(layout.pairs.ca.cert), await readText(layout.pairs.ca.key)).catch((e: unknown) => pkiFailure(e, layout.pairs.ca.cert));
      const wanted = name === 'all' ? leaves : [name as Exclude<PkiPair, 'ca'>];
      // Issue every certificate first, then write: a refusal leaves every file as it was.
      const renewed = [];
      for (const pair of wanted) {
        const paths = layout.pairs[pair];
        if (name === 'all' && !(await exists(paths.cert))) continue;
        const certPem = await readText(paths.cert);
        const publicKey = flags.newKey === true ? undefined : (await PrivateKey.fromPem(await readText(paths.key)).catch((e: unknown) => pkiFailure(e, paths.key))).publicKey;
        const issued = await renewCertificate(ca, certPem, publicKey === undefined ? {} : { publicKey }, deps).catch((e: unknown) => pkiFailure(e, paths.cert));
        renewed.push({ pair, paths, issued });
      }
      for (const { pair, paths, issued } of renewed) {
        await (issued.key !== undefined ? writeIssued(paths, issued) : writePair(paths, issued.certPem, undefined)).catch((e: unknown) => pkiFailure(e, paths.cert));
        env.ctx.stdout(`certificate ${pair} renewed${issued.key !== undefined ? ' with a new key' : ''}: expires ${expiresText(issued.cert.notAfter)}\n`);
      }
      env.ctx.stdout(
        `\nRestart shoal-control-plane on this host so that the running API server and store pick up the renewed files (certificates are read at start).\n` +
          `If your shoalctl config holds a copy of admin.crt/admin.key, copy them again.\n`,
      );
    });
}

export function certsCommand(env: CommandEnv): Command {
  return new Command('certs')
    .description("Check and renew a control plane's certificates (on its host)")
    .addCommand(checkExpirationCommand(env))
    .addCommand(renewCommand(env));
}
