// CPU accounting from /proc, so a table measured on a shared 2-core machine says how much CPU
// other processes took while it ran (Shoal and etcd run one after the other, so a busy neighbour
// during only one of them skews the ratio).
import { readFileSync } from 'node:fs';

/** Linux USER_HZ; /proc reports CPU time in these ticks. */
const TICKS_PER_S = 100;

function machineBusyTicks(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    return (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
  } catch {
    return undefined;
  }
}

/** utime + stime of one process (0 when it is gone). */
function processTicks(pid: number | 'self'): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may contain spaces; fields resume after its closing parenthesis
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

export interface CpuSample {
  atMs: number;
  busy: number | undefined;
  self: number;
  members: number;
}

/** `pids`: the members under test; this process (the client side) is counted apart. */
export function sampleCpu(pids: readonly number[]): CpuSample {
  return { atMs: performance.now(), busy: machineBusyTicks(), self: processTicks('self'), members: pids.reduce((s, p) => s + processTicks(p), 0) };
}

export interface CpuUse {
  seconds: number;
  /** Cores used by this process: the clients. */
  clientCores: number;
  /** Cores used by the members under test. */
  membersCores: number;
  /** Cores used by everything else on the machine. */
  othersCores: number;
}

/** Between two samples over the same pids (which must all have lived throughout). */
export function cpuBetween(a: CpuSample, b: CpuSample): CpuUse {
  const s = (b.atMs - a.atMs) / 1000;
  if (a.busy === undefined || b.busy === undefined || s <= 0) return { seconds: s, clientCores: NaN, membersCores: NaN, othersCores: NaN };
  const cores = (ticks: number): number => ticks / TICKS_PER_S / s;
  const client = cores(b.self - a.self);
  const members = cores(b.members - a.members);
  return { seconds: s, clientCores: client, membersCores: members, othersCores: Math.max(0, cores(b.busy - a.busy) - client - members) };
}
