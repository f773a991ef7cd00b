// A cluster in the lab made the way a person makes one on real hosts: the release bundle
// (npm run release) is installed into every host with its install.sh (scripts/lab.sh install),
// and the hosts run the installed systemd units (scripts/lab.sh start: EnvironmentFile,
// ExecStartPre, ExecStart, Restart=always). The first control plane inits a secure cluster; the
// others join with the printed command; workers join with a token from `shoalctl token create`.
// shoalctl is the bundle's, run in the client host with every API server in its config.
// Each method is one thing a person would do; the scenario test checks what each gives.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { release } from '../../../scripts/release.js';
import { API_PORT, Lab, labAddress } from '../../lab/helpers/lab.js';
import type { RunResult } from '../../lab/helpers/lab.js';
import type { ClusterAccess } from './cluster-access.js';

export type Role = 'control-plane' | 'agent';

/** What `shoal-control-plane init` prints for the other hosts. */
export interface JoinCommands {
  /** HOST:PORT --token T --ca-cert-hash H (for `agent join`). */
  readonly worker: readonly string[];
  /** The worker arguments plus --certificate-key K (for `control-plane join`). */
  readonly controlPlane: readonly string[];
}

export class InstalledCluster implements ClusterAccess {
  readonly workers: readonly string[];
  readonly controlPlanes: readonly string[];
  /** shoalctl's config in the lab dir: the admin credentials init wrote, every API server. */
  readonly configPath: string;

  private constructor(
    readonly lab: Lab,
    readonly version: string,
    readonly gitCommit: string,
  ) {
    this.workers = Array.from({ length: lab.workers }, (_, i) => `w${i + 1}`);
    this.controlPlanes = Array.from({ length: lab.controlPlanes }, (_, i) => `cp${i + 1}`);
    this.configPath = join(lab.dir, 'shoalctl.conf');
  }

  /** Builds the release, brings the lab up and puts the bundle where its hosts install from. */
  static async prepare(t: Test, o: { name: string; controlPlanes?: number; workers?: number }): Promise<InstalledCluster> {
    const out = mkdtempSync(join(tmpdir(), 'shoal-e2e-release-'));
    t.teardown(() => rmSync(out, { recursive: true, force: true }));
    const built = await release(out);
    const lab = await Lab.up(t, { name: o.name, controlPlanes: o.controlPlanes ?? 3, workers: o.workers ?? 2 });
    await lab.labSh(['bundle', built.tarball]);
    return new InstalledCluster(lab, built.version, built.gitCommit);
  }

  /** The bundle's install.sh in HOST (into its root, nothing started). */
  async install(host: string, args: readonly string[]): Promise<string> {
    return this.lab.labSh(['install', host, ...args], 180_000);
  }

  async start(host: string, role: Role): Promise<void> {
    await this.lab.labSh(['start', host, role]);
  }

  async stop(host: string, role: Role): Promise<void> {
    await this.lab.labSh(['stop', host, role], 60_000);
  }

  /** SIGKILL to the unit's main process; the lab's Restart=always brings it back 5 s later. */
  async kill(host: string, role: Role): Promise<void> {
    await this.lab.labSh(['kill', host, role]);
  }

  /** The unit's main pid, or undefined when it does not run. */
  async pid(host: string, role: Role): Promise<number | undefined> {
    const r = await this.lab.labSh(['pid', host, role]).catch(() => undefined);
    return r === undefined ? undefined : Number(r.trim());
  }

  log(host: string, role: Role): string {
    try {
      return readFileSync(join(this.lab.dir, host, `${role}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  /** The join commands in the first control plane's log (undefined until init printed them). */
  joinCommands(host = 'cp1'): JoinCommands | undefined {
    const m = /shoal-control-plane join (\S+) --token (\S+) --ca-cert-hash (\S+) --certificate-key (\S+)/.exec(this.log(host, 'control-plane'));
    if (m === null) return undefined;
    const worker = [m[1]!, '--token', m[2]!, '--ca-cert-hash', m[3]!];
    return { worker, controlPlane: [...worker, '--certificate-key', m[4]!] };
  }

  /** The admin config init wrote in cp1's root, with every control plane's API server. */
  writeShoalctlConfig(): void {
    const admin = readFileSync(join(this.lab.dir, 'cp1', 'root', 'etc', 'shoal', 'admin.conf'), 'utf8');
    const servers = this.controlPlanes.map((_, i) => `  - ${labAddress.cp(i + 1)}:${API_PORT}`).join('\n');
    const list = /^servers:\n(?: {2}- .*\n)+/m;
    if (!list.test(admin)) throw new Error(`unexpected admin.conf (no servers list):\n${admin}`);
    const text = admin.replace(list, `servers:\n${servers}\n`);
    writeFileSync(this.configPath, text, { mode: 0o600 });
  }

  /** The bundle's program, run the way a host runs it (no NODE_OPTIONS of the test runner). */
  private bundled(program: string): [string, string[]] {
    return ['env', ['-u', 'NODE_OPTIONS', join(this.lab.dir, 'bundle', 'bin', program)]];
  }

  async shoalctl(args: readonly string[], opts: { input?: string; timeoutMs?: number; server?: string } = {}): Promise<RunResult> {
    const [cmd, pre] = this.bundled('shoalctl');
    const server = opts.server === undefined ? [] : ['--server', opts.server];
    return this.lab.exec('client', cmd, [...pre, '--config', this.configPath, ...server, ...args], { timeoutMs: opts.timeoutMs ?? 60_000, ...(opts.input === undefined ? {} : { input: opts.input }) });
  }

  async shoalctlJson<T>(args: readonly string[]): Promise<T> {
    const r = await this.shoalctl([...args, '-o', 'json']);
    if (r.code !== 0) throw new Error(`shoalctl ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  exec(host: string, cmd: string, args: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
    return this.lab.exec(host, cmd, args, opts);
  }

  docker(worker: string, args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
    return this.lab.docker(worker, args, timeoutMs);
  }

  async stopWorker(worker: string): Promise<void> {
    await this.stop(worker, 'agent');
    await this.lab.dockerd(worker, 'stop');
  }

  async startWorker(worker: string): Promise<void> {
    await this.lab.dockerd(worker, 'start');
    await this.start(worker, 'agent');
  }

  /** Drops every packet between HOST and the given lab addresses, inside HOST (its own iptables). */
  async partition(host: string, from: readonly string[]): Promise<void> {
    for (const chain of ['INPUT', 'OUTPUT'] as const) {
      const dir = chain === 'INPUT' ? '-s' : '-d';
      const r = await this.exec(host, 'iptables', ['-w', '-I', chain, '1', dir, from.join(','), '-m', 'comment', '--comment', 'shoal-e2e-partition', '-j', 'DROP']);
      if (r.code !== 0) throw new Error(`partition ${host}: iptables ${chain}: ${r.stderr}`);
    }
  }

  /** Removes what partition() added (every rule with its comment). */
  async heal(host: string): Promise<void> {
    for (const chain of ['INPUT', 'OUTPUT'] as const) {
      for (let i = 0; i < 10; i++) {
        const list = await this.exec(host, 'iptables', ['-w', '-S', chain]);
        const rule = list.stdout.split('\n').find((l) => l.includes('shoal-e2e-partition'));
        if (rule === undefined) break;
        const del = await this.exec(host, 'iptables', ['-w', ...rule.replace(/^-A /, '-D ').split(' ').map((w) => w.replace(/^"|"$/g, ''))]);
        if (del.code !== 0) throw new Error(`heal ${host}: ${del.stderr}`);
      }
    }
  }
}
