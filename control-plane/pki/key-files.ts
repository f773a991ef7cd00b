// Writing keys and certificates. Every file is replaced atomically (a temp file in the same
// directory, fsynced, renamed over the target, then the directory fsynced), so a crash leaves
// either the old or the new file, never half a key. A private key's temp file is created 0600
// before a byte is written: the key is never readable by others, not even for a moment.
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PkiError } from './pki-error.js';

export const SECRET_FILE_MODE = 0o600;
export const PUBLIC_FILE_MODE = 0o644;
export const PKI_DIR_MODE = 0o700;

async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomUUID()}.tmp`);
  try {
    // 'wx': never follow or reuse an existing file.
    const h = await open(tmp, 'wx', mode);
    try {
      await h.chmod(mode); // the umask may have narrowed or the file system widened it
      await h.writeFile(data);
      await h.sync();
    } finally {
      await h.close();
    }
    await rename(tmp, path);
    await fsyncDir(dir);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw new PkiError('file-failed', `${path}: ${(e as Error).message}`, { cause: e });
  }
}

export function writeSecretFile(path: string, data: string | Uint8Array): Promise<void> {
  return writeFileAtomic(path, data, SECRET_FILE_MODE);
}

export function writePublicFile(path: string, data: string | Uint8Array): Promise<void> {
  return writeFileAtomic(path, data, PUBLIC_FILE_MODE);
}

/** Creates the PKI directory (0700: it holds keys) if missing. */
export async function ensurePkiDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: PKI_DIR_MODE });
    await chmod(dir, PKI_DIR_MODE);
  } catch (e) {
    throw new PkiError('file-failed', `${dir}: ${(e as Error).message}`, { cause: e });
  }
}
