// The test image: Debian's busybox-static in an otherwise empty rootfs, `docker import`ed (no
// registry is reachable from tests). Built once per Docker engine; later calls find it present.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, copyFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TEST_IMAGE = 'shoal-test/busybox:1';
/** The Docker CLI of the docker.io package (/usr/local/bin/docker may be a stand-in). */
export const DOCKER_CLI = '/usr/bin/docker';
const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'sleep', 'nc', 'httpd', 'cat', 'echo', 'env', 'ls', 'true', 'false', 'kill', 'touch', 'rm', 'mkdir', 'test', 'wget', 'ps', 'id', 'pwd', 'grep', 'dd', 'head'];

/** Builds and imports TEST_IMAGE unless the engine already has it; returns its name. */
export async function ensureTestImage(dockerCli = DOCKER_CLI): Promise<string> {
  const present = await run(dockerCli, ['image', 'inspect', TEST_IMAGE]).then(() => true, () => false);
  if (present) return TEST_IMAGE;
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: apt-get install busybox-static`);
  const dir = await mkdtemp(join(tmpdir(), 'shoal-image-'));
  try {
    const root = join(dir, 'rootfs');
    await mkdir(join(root, 'bin'), { recursive: true });
    for (const d of ['tmp', 'etc', 'var/www', 'proc', 'sys', 'dev']) await mkdir(join(root, d), { recursive: true });
    await copyFile(BUSYBOX, join(root, 'bin/busybox'));
    for (const a of APPLETS) await symlink('busybox', join(root, 'bin', a));
    const tar = join(dir, 'rootfs.tar');
    await run('tar', ['-C', root, '-cf', tar, '.']);
    await run(dockerCli, ['import', '--change', 'ENV PATH=/bin', '--change', 'CMD ["sh"]', tar, TEST_IMAGE]);
    return TEST_IMAGE;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** True when a Docker engine answers on the socket. */
export async function dockerAvailable(dockerCli = DOCKER_CLI): Promise<boolean> {
  if (!existsSync(dockerCli)) return false;
  return run(dockerCli, ['version', '--format', '{{.Server.Version}}'], { timeout: 10_000 }).then(() => true, () => false);
}

/** Removes every container carrying `label` (key=value), running or not. */
export async function removeContainersByLabel(label: string, dockerCli = DOCKER_CLI): Promise<void> {
  const { stdout } = await run(dockerCli, ['ps', '-aq', '--filter', `label=${label}`]).catch(() => ({ stdout: '' }));
  const ids = stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await run(dockerCli, ['rm', '-f', '-v', ...ids]).catch(() => undefined);
}
