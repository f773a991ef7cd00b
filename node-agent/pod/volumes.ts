// A pod's volumes on this host: emptyDir is a directory in the pod's dir (it lives as long as the
// pod on this node); hostPath is the host's path (created for DirectoryOrCreate/FileOrCreate);
// configMap and secret volumes are files written into the pod's dir and mounted read-only
// (secrets with mode 0600 files in a 0700 dir unless defaultMode says otherwise).
// persistentVolumeClaim (StatefulSet local volumes) is <data-dir>/volumes/<namespace>/<claim>,
// made on first use and never removed with the pod: it is the claim's data, and a pod of the
// same claim that comes back on this node finds it. The tree above it is 0700 (only the agent
// walks it; a bind mount needs no access to its parents); the claim dir itself is 0777 because
// a container may run as any user (no fsGroup/runAsUser support yet).
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile, rename, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Pod, Volume } from '../../api/index.js';
import type { ConfigData } from './config-data.js';

export interface VolumeMountSource {
  readonly hostPath: string;
  readonly readOnly: boolean;
}

export type VolumesResult = { readonly ok: true; readonly volumes: Map<string, VolumeMountSource> } | { readonly ok: false; readonly message: string };

/** Files of a configMap/secret volume: key → relative path (items select and rename keys). */
function projectedFiles(values: Readonly<Record<string, string>>, items: readonly { key: string; path: string }[] | undefined): [string, string][] | string {
  if (!items) return Object.entries(values);
  const out: [string, string][] = [];
  for (const it of items) {
    const v = values[it.key];
    if (v === undefined) return `key ${it.key} not found`;
    out.push([it.path, v]);
  }
  return out;
}

/** Writes the files into a fresh dir, then swaps it in, so a container never sees half a set. */
async function writeProjected(dir: string, files: readonly [string, string][], mode: number): Promise<void> {
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true, mode: 0o755 });
  for (const [path, value] of files) {
    const target = resolve(tmp, path);
    if (!target.startsWith(tmp + '/')) throw new Error(`volume file path ${path} leaves the volume`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, value, { mode });
    await chmod(target, mode);
  }
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

async function hostPathVolume(v: NonNullable<Volume['hostPath']>): Promise<string | undefined> {
  const type = v.type ?? '';
  if (type === 'DirectoryOrCreate' && !existsSync(v.path)) await mkdir(v.path, { recursive: true, mode: 0o755 });
  if (type === 'FileOrCreate' && !existsSync(v.path)) {
    await mkdir(dirname(v.path), { recursive: true });
    await writeFile(v.path, '', { mode: 0o644 });
  }
  if (type === '' || type === 'DirectoryOrCreate' || type === 'FileOrCreate') return undefined;
  const s = await stat(v.path).catch(() => undefined);
  if (!s) return `hostPath type check failed: ${v.path} does not exist`;
  const ok = type === 'Directory' ? s.isDirectory() : type === 'File' ? s.isFile() : type === 'Socket' ? s.isSocket() : type === 'CharDevice' ? s.isCharacterDevice() : s.isBlockDevice();
  return ok ? undefined : `hostPath type check failed: ${v.path} is not a ${type}`;
}

// A claim name is a DNS-1123 subdomain: no '/', no '..' (it becomes a path component).
const CLAIM_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The dir of claim `claimName` in `namespace` under the agent's claims root. */
export function claimDirFor(claimsRoot: string, namespace: string, claimName: string): string | undefined {
  if (claimName.length > 253 || !CLAIM_NAME.test(claimName) || !CLAIM_NAME.test(namespace)) return undefined;
  return join(claimsRoot, namespace, claimName);
}

/** Creates the claim's dir on first use (0700 parents, 0777 dir); an existing dir is kept as it is. */
async function claimVolume(claimsRoot: string, namespace: string, claimName: string): Promise<string | { error: string }> {
  const dir = claimDirFor(claimsRoot, namespace, claimName);
  if (dir === undefined) return { error: `persistentVolumeClaim claimName "${claimName}" is not a valid claim name` };
  await mkdir(dirname(dir), { recursive: true, mode: 0o700 });
  if (!existsSync(dir)) {
    await mkdir(dir, { mode: 0o777 });
    await chmod(dir, 0o777); // umask
  }
  return dir;
}

/** Makes every volume of the pod ready under podDir (absolute; claims under claimsRoot); idempotent (files refreshed). */
export async function prepareVolumes(podDir: string, pod: Pod, data: ConfigData, claimsRoot: string): Promise<VolumesResult> {
  const volumes = new Map<string, VolumeMountSource>();
  for (const v of pod.spec.volumes ?? []) {
    if (v.emptyDir) {
      const dir = join(podDir, 'volumes', 'empty-dir', v.name);
      await mkdir(dir, { recursive: true, mode: 0o777 });
      await chmod(dir, 0o777);
      volumes.set(v.name, { hostPath: dir, readOnly: false });
    } else if (v.hostPath) {
      const err = await hostPathVolume(v.hostPath);
      if (err) return { ok: false, message: `volume ${v.name}: ${err}` };
      volumes.set(v.name, { hostPath: v.hostPath.path, readOnly: false });
    } else if (v.configMap || v.secret) {
      const isCm = v.configMap !== undefined;
      const name = v.configMap?.name ?? v.secret?.secretName ?? '';
      const src = v.configMap ?? v.secret;
      const values = (isCm ? data.configMaps : data.secrets).get(name);
      const dir = join(podDir, 'volumes', isCm ? 'config-map' : 'secret', v.name);
      if (!values && !src?.optional) return { ok: false, message: `volume ${v.name}: ${isCm ? 'configmap' : 'secret'} "${name}" not found` };
      const files = projectedFiles(values ?? {}, src?.items);
      if (typeof files === 'string') return { ok: false, message: `volume ${v.name}: ${files} in ${isCm ? 'configmap' : 'secret'} ${name}` };
      await writeProjected(dir, files, src?.defaultMode ?? 0o644);
      volumes.set(v.name, { hostPath: dir, readOnly: true });
    } else if (v.persistentVolumeClaim) {
      const dir = await claimVolume(claimsRoot, pod.metadata.namespace ?? 'default', v.persistentVolumeClaim.claimName);
      if (typeof dir !== 'string') return { ok: false, message: `volume ${v.name}: ${dir.error}` };
      volumes.set(v.name, { hostPath: dir, readOnly: v.persistentVolumeClaim.readOnly ?? false });
    } else {
      return { ok: false, message: `volume ${v.name}: no volume source this agent supports` };
    }
  }
  return { ok: true, volumes };
}

/** The pod's dir under the agent's data dir. */
export const podDirFor = (dataDir: string, uid: string): string => join(dataDir, 'pods', uid);

/** The root of the claim (StatefulSet local) volumes under the agent's data dir. */
export const claimsRootFor = (dataDir: string): string => join(dataDir, 'volumes');
