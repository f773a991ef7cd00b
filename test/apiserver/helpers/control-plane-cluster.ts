// A real 3-member Shoal control plane for tests: each process (bin/shoal-control-plane.js) runs
// a store member and the API server next to it, all on 127.0.0.1 with free ports. Built on
// StoreCluster (test/store/helpers/store-cluster.ts), which kills every process and removes every
// data dir in t.teardown, even when the test fails. Every wait is bounded.
import { freePort, sleep, StoreCluster } from '../../store/helpers/store-cluster.js';
import type { MemberSpec, RunResult } from '../../store/helpers/store-cluster.js';

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

export interface ApiPorts {
  readonly grpcPort: number;
  readonly httpPort: number;
}

export class ControlPlaneCluster {
  private constructor(
    readonly store: StoreCluster,
    private readonly ports: ReadonlyMap<string, ApiPorts>,
  ) {}

  /** Starts `size` members (default 3), each with an API server, and waits until every API server is ready. */
  static async start(t: Teardown, opts: { size?: number; extraArgs?: string[]; apiArgs?: string[] } = {}): Promise<ControlPlaneCluster> {
    const ports = new Map<string, ApiPorts>();
    for (let i = 0; i < (opts.size ?? 3); i++) ports.set(`m${i + 1}`, { grpcPort: await freePort(), httpPort: await freePort() });
    const memberArgs = (m: MemberSpec): string[] => {
      const p = ports.get(m.name);
      if (p === undefined) return [];
      return ['--api-listen-address', `127.0.0.1:${p.grpcPort}`, '--api-http-listen-address', `127.0.0.1:${p.httpPort}`, ...(opts.apiArgs ?? [])];
    };
    const store = await StoreCluster.start(t, { size: opts.size, extraArgs: opts.extraArgs, memberArgs });
    const c = new ControlPlaneCluster(store, ports);
    await c.waitApiReady();
    return c;
  }

  get names(): string[] {
    return [...this.ports.keys()];
  }

  apiPorts(name: string): ApiPorts {
    const p = this.ports.get(name);
    if (p === undefined) throw new Error(`no member ${name}`);
    return p;
  }

  /** host:port of a member's gRPC API. */
  apiEndpoint(name: string): string {
    return `127.0.0.1:${this.apiPorts(name).grpcPort}`;
  }

  /** gRPC API addresses of the running members. */
  apiEndpoints(): string[] {
    return this.names.filter((n) => this.store.isRunning(n)).map((n) => this.apiEndpoint(n));
  }

  httpUrl(name: string, path = '/readyz'): string {
    return `http://127.0.0.1:${this.apiPorts(name).httpPort}${path}`;
  }

  /** Waits (bounded) until /readyz of every running member (or the named one) answers 200. */
  async waitApiReady(name?: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const names = name !== undefined ? [name] : this.names.filter((n) => this.store.isRunning(n));
    let last = '';
    for (const n of names) {
      for (;;) {
        if (!this.store.isRunning(n)) throw new Error(`member ${n} exited while waiting for its API server`);
        try {
          const r = await fetch(this.httpUrl(n), { signal: AbortSignal.timeout(3000) });
          if (r.status === 200) break;
          last = `${r.status} ${await r.text()}`;
        } catch (e) {
          last = (e as Error).message;
        }
        if (Date.now() > deadline) throw new Error(`API server of ${n} not ready within ${timeoutMs} ms: ${last}`);
        await sleep(200);
      }
    }
  }

  isRunning(name: string): boolean {
    return this.store.isRunning(name);
  }

  kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return this.store.kill(name, signal);
  }

  /** Restarts a stopped member (store + API server) and waits until its API server is ready. */
  async restart(name: string): Promise<void> {
    this.store.restart(name);
    await this.waitApiReady(name);
  }

  leaderName(): Promise<string> {
    return this.store.leaderName();
  }

  /** etcdctl against the running store members; must succeed. */
  ctl(args: readonly string[]): Promise<string> {
    return this.store.ctl(args);
  }

  etcdctl(args: readonly string[]): Promise<RunResult> {
    return this.store.etcdctl(args);
  }
}
