// Images dropped into <data-dir>/images/*.tar (docker save tarballs, for sites with no registry)
// are loaded at agent start, once per file content: the sha256 of each loaded file is recorded in
// <data-dir>/images/loaded.json, so a restart does not load it again and a replaced file is.
// A file that fails to load is logged and tried again at the next start.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import type { ContainerRuntime } from '../runtime/index.js';

export const LOADED_RECORD = 'loaded.json';

interface LoadedEntry {
  readonly file: string;
  readonly images: readonly string[];
  readonly loadedAt: string;
}

type LoadedRecord = { [sha256: string]: LoadedEntry };

export interface ImagesDirectoryResult {
  readonly loaded: { file: string; images: readonly string[] }[];
  readonly skipped: string[];
  readonly failed: { file: string; error: string }[];
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) h.update(chunk);
  return h.digest('hex');
}

async function readRecord(path: string): Promise<LoadedRecord> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as LoadedRecord) : {};
  } catch {
    return {};
  }
}

export async function loadImagesDirectory(runtime: ContainerRuntime, dataDir: string, log: Logger, now: () => Date = () => new Date()): Promise<ImagesDirectoryResult> {
  const dir = join(dataDir, 'images');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const recordPath = join(dir, LOADED_RECORD);
  const record = await readRecord(recordPath);
  const result: ImagesDirectoryResult = { loaded: [], skipped: [], failed: [] };
  const files = (await readdir(dir)).filter((f) => f.endsWith('.tar')).sort();
  for (const file of files) {
    const path = join(dir, file);
    try {
      const hash = await sha256File(path);
      if (record[hash] !== undefined) {
        result.skipped.push(file);
        continue;
      }
      const images = await runtime.loadImage(createReadStream(path));
      record[hash] = { file, images, loadedAt: now().toISOString() };
      // Recorded after each file (write then rename), so a crash never forgets a finished load.
      await writeFile(`${recordPath}.tmp`, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
      await rename(`${recordPath}.tmp`, recordPath);
      result.loaded.push({ file, images });
      log.info({ file, images }, 'loaded image tarball from the images directory');
    } catch (e) {
      result.failed.push({ file, error: (e as Error).message });
      log.warn({ file, err: (e as Error).message }, 'could not load image tarball; will retry at next start');
    }
  }
  return result;
}
