import { open } from 'node:fs/promises';

/**
 * Makes the directory's entries (files created, renamed or deleted in it) durable. A new or
 * renamed file is only guaranteed to survive a crash after both the file and its directory
 * have been fsynced.
 */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
