// What this host is and has, read through systeminformation (and /proc for PIDs): the I/O half
// of the node status. buildNodeStatus (node-status.ts) turns it into a NodeStatus.
import { readdir, readFile } from 'node:fs/promises';
import si from 'systeminformation';

export interface HostFacts {
  readonly hostname: string;
  /** Kubernetes' names: amd64, arm64, arm. */
  readonly arch: string;
  readonly os: string;
  readonly osImage: string;
  readonly kernelVersion: string;
  readonly cpuCores: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  readonly rootDiskBytes: number;
  /** Non-loopback IPv4 addresses, first one first. */
  readonly addresses: readonly string[];
  readonly machineID: string;
  readonly bootID: string;
}

export interface HostUsage {
  readonly memoryAvailableBytes: number;
  readonly rootDiskAvailableBytes: number;
  readonly rootDiskBytes: number;
  readonly pids: number;
  readonly pidMax: number;
}

/** Node.js/systeminformation architecture names → Kubernetes' (GOARCH) names. */
export function kubeArch(arch: string): string {
  switch (arch) {
    case 'x64':
    case 'x86_64':
      return 'amd64';
    case 'arm64':
    case 'aarch64':
      return 'arm64';
    case 'arm':
    case 'armv7l':
    case 'armv6l':
      return 'arm';
    case 'ia32':
      return '386';
    default:
      return arch;
  }
}

const readText = (p: string): Promise<string> => readFile(p, 'utf8').then((s) => s.trim(), () => '');

async function rootFs(): Promise<{ size: number; available: number }> {
  const all = await si.fsSize();
  const root = all.find((f) => f.mount === '/') ?? all[0];
  return { size: root?.size ?? 0, available: root?.available ?? 0 };
}

export async function readHostFacts(): Promise<HostFacts> {
  const [cpu, mem, os, nets, root] = await Promise.all([si.cpu(), si.mem(), si.osInfo(), si.networkInterfaces(), rootFs()]);
  const list = Array.isArray(nets) ? nets : [nets];
  const addresses = list.filter((n) => !n.internal && n.ip4 && !n.virtual).map((n) => n.ip4);
  const fallback = list.filter((n) => !n.internal && n.ip4).map((n) => n.ip4);
  return {
    hostname: os.hostname,
    arch: kubeArch(os.arch || process.arch),
    os: os.platform === 'linux' || os.platform === 'Linux' ? 'linux' : os.platform.toLowerCase(),
    osImage: [os.distro, os.release].filter(Boolean).join(' '),
    kernelVersion: os.kernel,
    cpuCores: cpu.cores,
    cpuModel: [cpu.manufacturer, cpu.brand].filter(Boolean).join(' '),
    memoryBytes: mem.total,
    rootDiskBytes: root.size,
    addresses: addresses.length > 0 ? addresses : fallback,
    machineID: await readText('/etc/machine-id'),
    bootID: await readText('/proc/sys/kernel/random/boot_id'),
  };
}

export async function readHostUsage(): Promise<HostUsage> {
  const [mem, root, pidMax, procs] = await Promise.all([si.mem(), rootFs(), readText('/proc/sys/kernel/pid_max'), readdir('/proc').catch(() => [] as string[])]);
  return {
    memoryAvailableBytes: mem.available,
    rootDiskAvailableBytes: root.available,
    rootDiskBytes: root.size,
    pids: procs.filter((p) => /^\d+$/.test(p)).length,
    pidMax: Number.parseInt(pidMax, 10) || 32768,
  };
}
