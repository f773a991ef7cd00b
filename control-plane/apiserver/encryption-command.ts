// `shoal-control-plane encryption rotate --config F --store URLS [--store-cafile F
// --store-certfile F --store-keyfile F]`: the re-encryption step of key rotation. Run it after
// the new key is first in the EncryptionConfiguration of every API server and they restarted:
// it rewrites, with the config's first key, every stored value of each listed resource that was
// written in plaintext or with another key. Prints one line per resource; exit 1 when a value
// could not be read (its error names the key).
import { EtcdStorage } from './storage/index.js';
import { ConfigError } from '../store/config.js';
import { loadEncryptionConfig, rotateEncryption } from './security-setup.js';
import { parseEndpoints } from './config.js';
import { readFile } from 'node:fs/promises';

export const ENCRYPTION_USAGE = `shoal-control-plane encryption rotate --config F --store URLS [--store-cafile F --store-certfile F --store-keyfile F]
  rewrites every value of the encrypted resources with the config's first key (key rotation)`;

const FLAGS = ['config', 'store', 'store-cafile', 'store-certfile', 'store-keyfile'] as const;
type Flag = (typeof FLAGS)[number];

export function parseRotateArgs(argv: readonly string[]): Map<Flag, string> {
  const out = new Map<Flag, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    if (!a.startsWith('-') || !(FLAGS as readonly string[]).includes(name)) throw new ConfigError(`encryption rotate: unknown argument "${a}"`);
    const value = eq >= 0 ? body.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new ConfigError(`flag --${name} needs a value`);
    out.set(name as Flag, value);
  }
  for (const f of ['config', 'store'] as const) if (!out.has(f)) throw new ConfigError(`encryption rotate: --${f} is required`);
  if (out.has('store-certfile') !== out.has('store-keyfile')) throw new ConfigError('encryption rotate: --store-certfile and --store-keyfile go together');
  return out;
}

/** Runs the command; returns the exit code. */
export async function runEncryptionCommand(argv: readonly string[], out: (s: string) => void): Promise<number> {
  if (argv[0] !== 'rotate') throw new ConfigError(`encryption: unknown subcommand "${argv[0] ?? ''}" (known: rotate)`);
  const flags = parseRotateArgs(argv.slice(1));
  const config = await loadEncryptionConfig(flags.get('config')!, 'config');
  const endpoints = parseEndpoints(flags.get('store')!, 'store');
  const read = async (f: Flag): Promise<Buffer | undefined> => {
    const p = flags.get(f);
    if (p === undefined) return undefined;
    return readFile(p).catch((e: unknown) => {
      throw new ConfigError(`--${f}: cannot read ${p}: ${(e as Error).message}`);
    });
  };
  const ca = await read('store-cafile');
  const cert = await read('store-certfile');
  const key = await read('store-keyfile');
  const storage = new EtcdStorage({ endpoints, ...(ca === undefined ? {} : { tls: { ca, ...(cert !== undefined && key !== undefined ? { cert, key } : {}) } }) });
  try {
    const reports = await rotateEncryption(config, storage);
    let failed = 0;
    for (const [resource, r] of Object.entries(reports)) {
      out(`${resource}: scanned ${r.scanned}, rewritten ${r.rewritten}, skipped ${r.skipped} (changed meanwhile), failed ${r.failed.length}\n`);
      for (const f of r.failed) out(`  ${f.key}: ${f.error}\n`);
      failed += r.failed.length;
    }
    return failed > 0 ? 1 : 0;
  } finally {
    await storage.close();
  }
}
