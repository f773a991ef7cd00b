// The node's identity on disk, under the data dir:
//   pki/ (0700)  ca.crt, node.crt, node.key  (all 0600)
//   agent.yaml   (0600)  servers, node name, the paths above
// Each file is replaced atomically. A key and its certificate are two files, so a renewal writes
// the new key beside the old one (node.key.next), then the certificate, then renames the key
// into place; a crash in between leaves a certificate whose key is node.key.next, and
// loadNodeCredentials finishes the swap.
import { X509Certificate } from 'node:crypto';
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePkiDir, PrivateKey, writeSecretFile } from '../../control-plane/pki/index.js';
import { JoinError, JoinErrorCode } from './join-error.js';

export interface NodePaths {
  readonly dataDir: string;
  readonly pkiDir: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** The next key during a renewal (see the file comment). */
  readonly nextKey: string;
  readonly config: string;
}

export const AGENT_CONFIG_FILE = 'agent.yaml';

export function nodePaths(dataDir: string): NodePaths {
  const pkiDir = join(dataDir, 'pki');
  return { dataDir, pkiDir, ca: join(pkiDir, 'ca.crt'), cert: join(pkiDir, 'node.crt'), key: join(pkiDir, 'node.key'), nextKey: join(pkiDir, 'node.key.next'), config: join(dataDir, AGENT_CONFIG_FILE) };
}

/** PEM text of the node's credentials. */
export interface NodeCredentials {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** Writes CA, key and certificate (see the file comment for the order). */
export async function writeNodeCredentials(paths: Pick<NodePaths, 'pkiDir' | 'ca' | 'cert' | 'key' | 'nextKey'>, c: NodeCredentials): Promise<void> {
  await ensurePkiDir(paths.pkiDir);
  await writeSecretFile(paths.ca, c.caPem);
  await writeSecretFile(paths.nextKey, c.keyPem);
  await writeSecretFile(paths.cert, c.certPem);
  await rename(paths.nextKey, paths.key);
}

async function keyMatches(keyPem: string, cert: X509Certificate): Promise<boolean> {
  const key = await PrivateKey.fromPem(keyPem);
  return (await key.spki()).equals(cert.publicKey.export({ type: 'spki', format: 'der' }));
}

/** Reads the credentials back, finishing an interrupted renewal; a clear error if they are unusable. */
export async function loadNodeCredentials(paths: Pick<NodePaths, 'ca' | 'cert' | 'key' | 'nextKey'>): Promise<NodeCredentials> {
  const read = async (p: string): Promise<string> => {
    try {
      return await readFile(p, 'utf8');
    } catch (e) {
      throw new JoinError(JoinErrorCode.BadConfig, `cannot read ${p}: ${(e as Error).message} (run "shoal-agent join" first)`, { cause: e });
    }
  };
  const [caPem, certPem] = [await read(paths.ca), await read(paths.cert)];
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (e) {
    throw new JoinError(JoinErrorCode.BadConfig, `${paths.cert}: not a PEM certificate`, { cause: e });
  }
  let keyPem = await read(paths.key);
  if (!(await keyMatches(keyPem, cert).catch(() => false))) {
    const next = await readFile(paths.nextKey, 'utf8').catch(() => undefined);
    if (next === undefined || !(await keyMatches(next, cert).catch(() => false))) {
      throw new JoinError(JoinErrorCode.BadConfig, `${paths.key} does not belong to ${paths.cert}; join the node again`);
    }
    await rename(paths.nextKey, paths.key);
    keyPem = next;
  } else {
    await rm(paths.nextKey, { force: true });
  }
  return { caPem, certPem, keyPem };
}
