// What Cluster.Version reports, read once at start: the package version, and the git commit from
// $SHOAL_GIT_COMMIT (set by a release build) or else the checkout's .git files read directly (no
// git binary at runtime), or "unknown".
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface VersionInfo {
  readonly version: string;
  readonly gitCommit: string;
  readonly nodeVersion: string;
  readonly platform: string;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The commit HEAD points at, from .git (a directory, or a worktree's "gitdir:" file). */
export function gitCommitOf(root: string): string | undefined {
  let gitDir = join(root, '.git');
  if (!existsSync(gitDir)) return undefined;
  if (statSync(gitDir).isFile()) {
    const m = /^gitdir:\s*(.+)$/m.exec(readText(gitDir) ?? '');
    if (m === null) return undefined;
    gitDir = resolve(root, m[1]!.trim());
  }
  const head = readText(join(gitDir, 'HEAD'))?.trim();
  if (head === undefined) return undefined;
  if (/^[0-9a-f]{40}$/.test(head)) return head;
  const ref = /^ref:\s*(.+)$/.exec(head)?.[1];
  if (ref === undefined) return undefined;
  // A worktree keeps refs in the common dir.
  const common = resolve(gitDir, readText(join(gitDir, 'commondir'))?.trim() ?? '.');
  for (const dir of [gitDir, common]) {
    const loose = readText(join(dir, ref))?.trim();
    if (loose !== undefined && /^[0-9a-f]{40}$/.test(loose)) return loose;
    const packed = readText(join(dir, 'packed-refs'));
    const line = packed?.split('\n').find((l) => l.endsWith(` ${ref}`));
    if (line !== undefined) return line.slice(0, 40);
  }
  return undefined;
}

export function readVersionInfo(env: NodeJS.ProcessEnv = process.env, root = ROOT): VersionInfo {
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    // a bundle without package.json
  }
  const fromEnv = env.SHOAL_GIT_COMMIT;
  return {
    version,
    gitCommit: fromEnv !== undefined && fromEnv !== '' ? fromEnv : (gitCommitOf(root) ?? 'unknown'),
    nodeVersion: process.version,
    platform: `${process.platform}/${process.arch}`,
  };
}
