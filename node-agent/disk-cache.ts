// JSON objects kept on disk under the agent's data dir, so a restarted agent with no API server
// still knows its pods and their ConfigMaps/Secrets (edge autonomy). Writes are atomic (temp
// file + rename) and private (0600 in 0700 dirs): secrets live here too.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class DiskCache<T> {
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    // Keys are names/uids (DNS-1123 and UUIDs); refuse anything that could leave the dir.
    if (!/^[A-Za-z0-9._-]+$/.test(key) || key.startsWith('.')) throw new Error(`disk cache key ${JSON.stringify(key)}: only letters, digits, '.', '_' and '-' are allowed`);
    return join(this.dir, `${key}.json`);
  }

  async put(key: string, value: T): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const f = this.file(key);
    const tmp = `${f}.tmp`;
    await writeFile(tmp, JSON.stringify(value), { mode: 0o600 });
    await rename(tmp, f);
  }

  async get(key: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.file(key), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  /** Every entry that parses (a torn or foreign file is skipped). */
  async all(): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const n of names) {
      if (!n.endsWith('.json')) continue;
      const key = n.slice(0, -'.json'.length);
      const v = await this.get(key);
      if (v !== undefined) out.set(key, v);
    }
    return out;
  }
}
