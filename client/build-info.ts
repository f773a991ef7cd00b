// Which Shoal this is. A release bundle has its version and git commit baked in at build time
// (scripts/release.ts defines SHOAL_BUILD); a source checkout reads package.json and the .git
// files on demand (no git binary needed), else "unknown".
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildInfo {
  readonly version: string;
  readonly gitCommit: string;
}

/** Replaced by esbuild's `define` in a release bundle; not defined at all in a source run. */
declare const SHOAL_BUILD: BuildInfo | undefined;

/** The checkout this file lives in (client/ is one level below it). */
const SOURCE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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

/** package.json's version and the checkout's commit under `root`. */
export function sourceBuildInfo(root: string): BuildInfo {
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    // no package.json: not a checkout
  }
  return { version, gitCommit: gitCommitOf(root) ?? 'unknown' };
}

/** This program's version and commit: baked in by a release build, else read from the checkout. */
export function buildInfo(): BuildInfo {
  return typeof SHOAL_BUILD !== 'undefined' ? SHOAL_BUILD : sourceBuildInfo(SOURCE_ROOT);
}

/** What `version` commands and Cluster.Version report; $SHOAL_GIT_COMMIT overrides the commit. */
export interface VersionReport extends BuildInfo {
  readonly nodeVersion: string;
  readonly platform: string;
}

export function versionReport(env: Readonly<Record<string, string | undefined>>, build: BuildInfo = buildInfo()): VersionReport {
  const fromEnv = env.SHOAL_GIT_COMMIT ?? '';
  return { version: build.version, gitCommit: fromEnv !== '' ? fromEnv : build.gitCommit, nodeVersion: process.version, platform: `${process.platform}/${process.arch}` };
}

/** One line for `--version`: `<program> <version> (git commit <c>, node <v>, <os>/<arch>)`. */
export function versionLine(program: string, info: BuildInfo = buildInfo()): string {
  return `${program} ${info.version} (git commit ${info.gitCommit}, node ${process.version}, ${process.platform}/${process.arch})`;
}
