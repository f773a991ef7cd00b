// A real 3-member Shoal control plane for tests: each process (bin/shoal-control-plane.js) runs
// a store member and the API server next to it, all on 127.0.0.1. Built on StoreCluster
// (test/store/helpers/store-cluster.ts), which kills every process and removes every data dir in
// t.teardown, even when the test fails. Every wait is bounded.
//
// The API servers bind port 0 (no race with other processes for a port picked in advance) and
// the helper reads the bound ports from the member's log ("API server listening"); a restarted
// member gets the same ports back, so clients keep their endpoint lists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, StoreCluster } from '../../store/helpers/store-cluster.js';
import type { MemberSpec, RunResult } from '../../store/helpers/store-cluster.js';

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

export interface ApiPorts {
  readonly grpcPort: number;
  readonly httpPort: number;
}

const START_TIMEOUT_MS = 120_000;

export class ControlPlaneCluster {
  private constructor(
    readonly store: StoreCluster,
    /** Bound ports per member; 0 until the member has logged them. */
    private readonly ports: Map<string, ApiPorts>,
  ) {}

  /** Starts `size` members (default 3), each with an API server, and waits until every API server is ready. */
  static async start(t: Teardown, opts: { size?: number; extraArgs?: string[]; apiArgs?: string[] } = {}): Promise<ControlPlaneCluster> {
    const ports = new Map<string, ApiPorts>();
    for (let i = 0; i < (opts.size ?? 3); i++) ports.set(`m${i + 1}`, { grpcPort: 0, httpPort: 0 });
    const memberArgs = (m: MemberSpec): string[] => {
      const p = ports.get(m.name);
      if (p === undefined) return [];
      return ['--api-listen-address', `127.0.0.1:${p.grpcPort}`, '--api-http-listen-address', `127.0.0.1:${p.httpPort}`, ...(opts.apiArgs ?? [])];
    };
    // Generous bounds: the test machine is shared and often loaded far beyond its two cores.
    const store = await StoreCluster.start(t, { size: opts.size, extraArgs: ['--election-timeout', '2000', ...(opts.extraArgs ?? [])], memberArgs, readyTimeoutMs: START_TIMEOUT_MS });
    const c = new ControlPlaneCluster(store, ports);
    for (const n of c.names) await c.waitApiReady(n, START_TIMEOUT_MS);
    return c;
  }

  get names(): string[] {
    return [...this.ports.keys()];
  }

  private log(name: string): string {
    try {
      return readFileSync(join(this.store.root, `${name}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  /** The last `lines` lines of a member's log (for failure reports); `keep` filters them first. */
  logTail(name: string, lines: number, keep: (line: string) => boolean = () => true): string[] {
    return this.log(name)
      .split('\n')
      .filter((l) => l !== '' && keep(l))
      .slice(-lines);
  }

  /** The ports the member's API server reported, once it has. */
  private learnPorts(name: string): ApiPorts | undefined {
    const known = this.ports.get(name);
    if (known !== undefined && known.grpcPort !== 0) return known;
    const line = this.log(name)
      .split('\n')
      .filter((l) => l.includes('"API server listening"'))
      .at(-1);
    if (line === undefined) return undefined;
    let p: ApiPorts;
    try {
      const { grpcPort, httpPort } = JSON.parse(line) as { grpcPort: number; httpPort: number };
      p = { grpcPort, httpPort };
    } catch {
      return undefined; // the line is still being written
    }
    this.ports.set(name, p);
    return p;
  }

  apiPorts(name: string): ApiPorts {
    const p = this.learnPorts(name);
    if (p === undefined) throw new Error(`the API server of ${name} has not started`);
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

  /** Waits (bounded) until /readyz of the named member (or every running one) answers 200. */
  async waitApiReady(name?: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const names = name !== undefined ? [name] : this.names.filter((n) => this.store.isRunning(n));
    let last = '';
    for (const n of names) {
      for (;;) {
        if (!this.store.isRunning(n)) throw new Error(`member ${n} exited while waiting for its API server; its log ends:\n${this.log(n).split('\n').slice(-15).join('\n')}`);
        const ports = this.learnPorts(n);
        if (ports !== undefined) {
          try {
            const r = await fetch(this.httpUrl(n), { signal: AbortSignal.timeout(3000) });
            if (r.status === 200) break;
            last = `${r.status} ${await r.text()}`;
          } catch (e) {
            last = (e as Error).message;
          }
        } else last = 'no "API server listening" in its log yet';
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

  /** Restarts a stopped member (store + API server, on the same ports) and waits until its API server is ready. */
  async restart(name: string): Promise<void> {
    this.store.restart(name);
    await this.waitApiReady(name, START_TIMEOUT_MS);
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
