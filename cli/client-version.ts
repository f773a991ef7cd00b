// This shoalctl's version: package.json's version and the git commit of the checkout it runs
// from ($SHOAL_GIT_COMMIT wins, for release builds without .git).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientVersion } from './context.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export function readClientVersion(env: Readonly<Record<string, string | undefined>>): ClientVersion {
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    // a bundled release without package.json
  }
  let gitCommit = env.SHOAL_GIT_COMMIT ?? '';
  if (gitCommit === '') {
    try {
      gitCommit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim();
    } catch {
      gitCommit = 'unknown';
    }
  }
  return { version, gitCommit, nodeVersion: process.version, platform: `${process.platform}/${process.arch}` };
}
