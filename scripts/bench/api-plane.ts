// The control planes `npm run bench -- api` measures, each three API servers on 127.0.0.1:
// - shoal: three `shoal-control-plane` processes, each a Shoal store member with the API server
//   in the same process (--api-listen-address), talking to its own member (the default);
// - etcd: a real 3-member etcd 3.4 and three API-server-only processes
//   (api-server-process.ts), API server i talking to etcd member i.
// Every process is in the ProcessRegistry, so nothing outlives the benchmark; every wait is bounded.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterSettings, ProcessRegistry } from './store-cluster.js';
import { LocalStoreCluster, REPO_ROOT, etcdCommand, freePorts, shoalCommand } from './store-cluster.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export type PlaneSystem = 'shoal' | 'etcd';

interface ApiPorts {
  grpc: number;
  http: number;
}

export class ApiPlane {
  private readonly apiProcs: ChildProcess[] = [];

  private constructor(
    readonly system: PlaneSystem,
    private readonly store: LocalStoreCluster,
    private readonly ports: readonly ApiPorts[],
    private readonly dir: string,
    private readonly stopSignal: NodeJS.Signals,
  ) {}

  /**
   * Starts the plane in `dir` (new) and waits until every API server's /readyz answers 200.
   * `nodeArgs` go to every Node.js process (e.g. --cpu-prof); SIGTERM then stops them.
   */
  static async start(system: PlaneSystem, dir: string, settings: ClusterSettings, registry: ProcessRegistry, nodeArgs: readonly string[]): Promise<ApiPlane> {
    const raw = await freePorts(6);
    const ports = [0, 1, 2].map((i) => ({ grpc: raw[2 * i]!, http: raw[2 * i + 1]! }));
    const apiFlags = (id: number): string[] => {
      const p = ports[id - 1]!;
      return ['--api-listen-address', `127.0.0.1:${p.grpc}`, '--api-http-listen-address', `127.0.0.1:${p.http}`];
    };
    const base = system === 'shoal' ? shoalCommand(nodeArgs) : etcdCommand();
    if (base === undefined) throw new Error(system === 'etcd' ? 'etcd is not installed (apt-get install etcd-server)' : 'this checkout has no runnable shoal-control-plane');
    const cmd = system === 'shoal' ? { ...base, memberFlags: apiFlags } : base;
    const store = new LocalStoreCluster(cmd, dir, settings, registry);
    const plane = new ApiPlane(system, store, ports, dir, nodeArgs.length > 0 ? 'SIGTERM' : 'SIGKILL');
    try {
      await store.start();
      await store.settle(60_000);
      if (system === 'etcd') for (const id of store.ids()) plane.startApiServer(id, apiFlags(id), nodeArgs, registry);
      await plane.waitReady(90_000);
      return plane;
    } catch (e) {
      plane.tailLogs();
      await plane.close();
      throw e;
    }
  }

  private startApiServer(id: number, flags: string[], nodeArgs: readonly string[], registry: ProcessRegistry): void {
    const script = join(REPO_ROOT, 'scripts', 'bench', 'api-server-process.ts');
    const args = ['--import', 'tsx', ...nodeArgs, script, ...flags, '--api-store-endpoints', this.store.clientUrl(id), '--name', `api${id}`];
    const out = openSync(this.apiLog(id), 'a');
    try {
      const p = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', out, out] });
      registry.add(p);
      this.apiProcs.push(p);
    } finally {
      closeSync(out);
    }
  }

  private apiLog(id: number): string {
    return join(this.dir, `api-${id}.log`);
  }

  /** gRPC addresses of the three API servers. */
  apiAddresses(): string[] {
    return this.ports.map((p) => `127.0.0.1:${p.grpc}`);
  }

  /** Every process of the plane (store members and, for etcd, the API servers). */
  pids(): number[] {
    return [...this.store.pids(), ...this.apiOnlyPids()];
  }

  /** The API-server-only processes (etcd plane; none for Shoal, whose API servers share the members' processes). */
  apiOnlyPids(): number[] {
    return this.apiProcs.flatMap((p) => (p.pid !== undefined && p.exitCode === null && p.signalCode === null ? [p.pid] : []));
  }

  /** Processes that exited on their own. */
  crashed(): string[] {
    return [...this.store.crashed().map((id) => `member ${id}`), ...this.apiProcs.flatMap((p, i) => (p.exitCode !== null ? [`API server ${i + 1}`] : []))];
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const [i, p] of this.ports.entries()) {
      let last = '';
      for (let n = 0; n < 10_000; n++) {
        const dead = this.crashed();
        if (dead.length > 0) throw new Error(`${this.system}: ${dead.join(', ')} exited while starting (logs: ${this.dir})`);
        try {
          const r = await fetch(`http://127.0.0.1:${p.http}/readyz`, { signal: AbortSignal.timeout(3000) });
          if (r.status === 200) break;
          last = `${r.status} ${await r.text()}`;
        } catch (e) {
          last = (e as Error).message;
        }
        if (Date.now() > deadline) throw new Error(`${this.system}: API server ${i + 1} not ready within ${timeoutMs} ms: ${last}`);
        await sleep(200);
      }
    }
  }

  tailLogs(lines = 15): void {
    const files = [...this.store.ids().map((id) => this.store.logFile(id)), ...this.apiProcs.map((_, i) => this.apiLog(i + 1))];
    for (const file of files) {
      if (!existsSync(file)) continue;
      const tail = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      process.stderr.write(`[bench api] ${file} (last ${lines} lines):\n${tail}\n`);
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.apiProcs.map(async (p) => {
        if (p.exitCode !== null || p.signalCode !== null) return;
        const exited = new Promise((r) => p.once('exit', r));
        p.kill(this.stopSignal);
        const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }),
    );
    await this.store.close();
  }
}
