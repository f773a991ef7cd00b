// A control-plane cluster built the way an operator builds one: `shoal-control-plane init` on
// host A, `shoal-control-plane join` on the others — every "host" a process on 127.0.0.1 with
// its own data directory and ports. Gives tests the admin config, each host's PKI paths, the
// join material init printed, etcdctl with the right certificates, and kill/restart (a restart
// is `shoal-control-plane --config-file D/control-plane.yaml`). Processes are killed and the
// temp dir removed in t.teardown (SHOAL_KEEP_LOGS=1 keeps it). Every wait is bounded.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDirLayout, detectFeatures } from '../../../control-plane/bootstrap/index.js';
import type { DataDirLayout, Features } from '../../../control-plane/bootstrap/index.js';
import { clientOptionsFromConfig, loadConfig } from '../../../client/config.js';
import { defaultBackoff, ShoalClient } from '../../../client/index.js';
import { freePorts } from '../../chaos/free-port.js';
import { ETCDCTL, LAUNCHER, ROOT, run, sleep } from '../../store/helpers/store-cluster.js';
import type { RunResult } from '../../store/helpers/store-cluster.js';

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

export interface SecureHost {
  readonly name: string;
  readonly dataDir: string;
  readonly layout: DataDirLayout;
  readonly adminConfig: string;
  readonly ports: { client: number; peer: number; api: number; apiHttp: number };
  /** host:port of its API server. */
  readonly api: string;
  /** Its store client URL. */
  readonly clientUrl: string;
}

/** What init printed for joining. */
export interface JoinMaterial {
  readonly server: string;
  readonly token: string;
  readonly caCertHash: string;
  readonly certificateKey: string;
}

export interface StoreMemberJson {
  ID: number | string;
  name?: string;
  peerURLs: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

const JOIN_LINE = /shoal-control-plane join (\S+) --token (\S+) --ca-cert-hash (\S+) --certificate-key (\S+)/;

export class SecureCluster {
  readonly hosts: SecureHost[] = [];
  readonly features: Features = detectFeatures();
  private readonly procs = new Map<string, ChildProcess>();
  private readonly output = new Map<string, string>();
  private readonly logs = new Map<string, WriteStream>();
  join: JoinMaterial | undefined;

  private constructor(readonly root: string) {}

  /** Runs init on "a" and joins the others one by one (size 1..n; default 3). */
  static async start(t: Teardown, o: { size?: number } = {}): Promise<SecureCluster> {
    const c = await SecureCluster.create(t);
    await c.init('a');
    for (let i = 1; i < (o.size ?? 3); i++) {
      const name = String.fromCharCode(97 + i);
      await c.joinHost(name);
      await c.waitJoined(name);
    }
    return c;
  }

  /** An empty cluster (nothing started): for tests that interleave steps. */
  static async create(t: Teardown): Promise<SecureCluster> {
    const c = new SecureCluster(mkdtempSync(join(tmpdir(), 'shoal-secure-cluster-')));
    const onExit = (): void => {
      for (const p of c.procs.values()) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    };
    process.once('exit', onExit);
    t.teardown(async () => {
      process.removeListener('exit', onExit);
      for (const h of c.hosts) await c.kill(h.name);
      for (const l of c.logs.values()) l.end();
      if (process.env.SHOAL_KEEP_LOGS === undefined) rmSync(c.root, { recursive: true, force: true });
      else process.stderr.write(`secure cluster logs kept in ${c.root}\n`);
    });
    return c;
  }

  /** A host's spec with fresh ports (not started). */
  async newHost(name: string): Promise<SecureHost> {
    const [client, peer, api, apiHttp] = (await freePorts(4)) as [number, number, number, number];
    const dataDir = join(this.root, name);
    const scheme = this.features.apiSecurity ? 'https' : 'http';
    const h: SecureHost = {
      name,
      dataDir,
      layout: dataDirLayout(dataDir),
      adminConfig: join(this.root, `${name}-admin.conf`),
      ports: { client, peer, api, apiHttp },
      api: `127.0.0.1:${api}`,
      clientUrl: `${scheme}://127.0.0.1:${client}`,
    };
    this.hosts.push(h);
    return h;
  }

  host(name: string): SecureHost {
    const h = this.hosts.find((x) => x.name === name);
    if (h === undefined) throw new Error(`no host ${name}`);
    return h;
  }

  hostArgs(h: SecureHost): string[] {
    return [
      '--data-dir', h.dataDir,
      '--name', h.name,
      '--advertise-address', '127.0.0.1',
      '--client-port', String(h.ports.client),
      '--peer-port', String(h.ports.peer),
      '--api-port', String(h.ports.api),
      '--api-http-port', String(h.ports.apiHttp),
      '--admin-config', h.adminConfig,
    ];
  }

  private spawn(name: string, args: readonly string[]): ChildProcess {
    let log = this.logs.get(name);
    if (log === undefined) {
      log = createWriteStream(join(this.root, `${name}.log`), { flags: 'a' });
      this.logs.set(name, log);
    }
    const p = spawn(process.execPath, [LAUNCHER, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.output.set(name, '');
    p.stdout!.on('data', (d: Buffer) => this.output.set(name, (this.output.get(name) ?? '') + d.toString()));
    p.stdout!.pipe(log, { end: false });
    p.stderr!.pipe(log, { end: false });
    this.procs.set(name, p);
    return p;
  }

  /** `init` on a new host (extra: more init flags); waits for the join lines (the API answered and published). */
  async init(name: string, timeoutMs = 60_000, extra: readonly string[] = []): Promise<SecureHost> {
    const h = await this.newHost(name);
    this.spawn(name, ['init', ...this.hostArgs(h), ...extra]);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = JOIN_LINE.exec(this.output.get(name) ?? '');
      if (m !== null) {
        this.join = { server: m[1]!, token: m[2]!, caCertHash: m[3]!, certificateKey: m[4]! };
        return h;
      }
      if (!this.isRunning(name)) throw new Error(`init on ${name} exited (${this.procs.get(name)?.exitCode}); log: ${join(this.root, `${name}.log`)}`);
      await sleep(200);
    }
    throw new Error(`init on ${name} printed no join line within ${timeoutMs} ms`);
  }

  joinArgs(h: SecureHost, over: Partial<JoinMaterial> = {}): string[] {
    const j = { ...this.join!, ...over };
    return ['join', j.server, '--token', j.token, '--ca-cert-hash', j.caCertHash, '--certificate-key', j.certificateKey, ...this.hostArgs(h)];
  }

  /** Starts `join` on a new host (returns at once; see waitJoined). */
  async joinHost(name: string, over: Partial<JoinMaterial> = {}): Promise<SecureHost> {
    if (this.join === undefined) throw new Error('init first');
    const h = await this.newHost(name);
    this.spawn(name, this.joinArgs(h, over));
    return h;
  }

  /** Runs `join` expecting it to fail: its exit code and output (the host is forgotten). */
  async joinFails(name: string, over: Partial<JoinMaterial>, timeoutMs = 150_000): Promise<RunResult & { host: SecureHost }> {
    const h = await this.newHost(name);
    this.hosts.splice(this.hosts.indexOf(h), 1);
    const r = await run(process.execPath, [LAUNCHER, ...this.joinArgs(h, over)], { timeoutMs });
    return { ...r, host: h };
  }

  /** Waits until the host is a started voter of the store and its API server answers. */
  async waitJoined(name: string, timeoutMs = 90_000): Promise<void> {
    const h = this.host(name);
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (!this.isRunning(name)) throw new Error(`${name} exited (${this.procs.get(name)?.exitCode}); log: ${join(this.root, `${name}.log`)}`);
      try {
        const me = (await this.members()).find((m) => m.name === name);
        if (me !== undefined && me.isLearner !== true && (await this.apiAnswers(h))) return;
        last = JSON.stringify(me);
      } catch (e) {
        last = (e as Error).message;
      }
      await sleep(500);
    }
    throw new Error(`${name} did not join within ${timeoutMs} ms: ${last}`);
  }

  /** A client of one host's API server only, with that host's admin identity. */
  async client(name: string): Promise<ShoalClient> {
    const h = this.host(name);
    const { config, path } = await loadConfig({ path: h.adminConfig });
    return new ShoalClient({ ...(await clientOptionsFromConfig(config, path)), servers: [h.api], callTimeoutMs: 10_000, retry: { maxAttempts: 2, maxElapsedMs: 10_000, backoff: defaultBackoff } });
  }

  private async apiAnswers(h: SecureHost): Promise<boolean> {
    if (!existsSync(h.adminConfig)) return false;
    const c = await this.client(h.name);
    try {
      await c.resource('namespaces', '').get('default');
      return true;
    } catch {
      return false;
    } finally {
      c.close();
    }
  }

  isRunning(name: string): boolean {
    const p = this.procs.get(name);
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  }

  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.procs.get(name);
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill(signal);
    const timer = setTimeout(() => p.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  /** Starts a stopped host again with the given arguments (e.g. init or join once more). */
  rerun(name: string, args: readonly string[]): void {
    if (this.isRunning(name)) throw new Error(`${name} is running`);
    this.spawn(name, args);
  }

  /** Restarts a set-up host from its state file. */
  restart(name: string): void {
    if (this.isRunning(name)) throw new Error(`${name} is running`);
    const h = this.host(name);
    if (!existsSync(h.layout.stateFile)) throw new Error(`${name} has no state file`);
    this.spawn(name, ['--config-file', h.layout.stateFile]);
  }

  /** etcdctl's --cacert/--cert/--key for a host's store (empty without TLS on the store). */
  ctlTls(name = 'a'): string[] {
    if (!this.features.apiSecurity) return [];
    const p = this.host(name).layout.pki.pairs;
    return ['--cacert', p.ca.cert, '--cert', p['apiserver-store-client'].cert, '--key', p['apiserver-store-client'].key];
  }

  /** Store endpoints of the running hosts. */
  endpoints(): string {
    return this.hosts
      .filter((h) => this.isRunning(h.name))
      .map((h) => h.clientUrl)
      .join(',');
  }

  etcdctl(args: readonly string[], o: { tls?: string[]; endpoints?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    return run(ETCDCTL, ['--endpoints', o.endpoints ?? this.endpoints(), '--dial-timeout=3s', '--command-timeout=10s', ...(o.tls ?? this.ctlTls()), ...args], {
      timeoutMs: o.timeoutMs ?? 30_000,
      env: { ETCDCTL_API: '3' },
    });
  }

  async members(): Promise<StoreMemberJson[]> {
    const r = await this.etcdctl(['member', 'list', '-w', 'json']);
    if (r.code !== 0) throw new Error(`etcdctl member list: ${r.stderr}`);
    return (JSON.parse(r.stdout) as { members: StoreMemberJson[] }).members;
  }

  /** bin/shoalctl.js with a host's admin config (default a's) through SHOAL_CONFIG. */
  shoalctl(args: readonly string[], o: { config?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    const config = o.config ?? this.hosts[0]!.adminConfig;
    return run(process.execPath, [join(ROOT, 'bin', 'shoalctl.js'), ...args], { timeoutMs: o.timeoutMs ?? 30_000, env: { SHOAL_CONFIG: config } });
  }
}
