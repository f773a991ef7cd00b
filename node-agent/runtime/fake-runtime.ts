// The in-memory twin of the container runtime: deterministic (ids and IPs count up, time comes
// from the injected clock), with scripted behaviour so unit tests and simulated nodes can make
// containers exit, be OOM-killed or fail probes on cue.
import type { Clock } from '../../client/index.js';
import { ContainerStateKind, RuntimeError, RuntimeErrorCode } from './runtime.js';
import type { ContainerInfo, ContainerRuntime, ContainerSpec, ExecResult } from './runtime.js';

/** How a started container behaves: exits after `exitAfterMs` with `exitCode` (never, if unset). */
export interface FakeBehaviour {
  readonly exitAfterMs?: number;
  readonly exitCode?: number;
  readonly oomKilled?: boolean;
}

export interface FakeRuntimeOptions {
  readonly clock: Clock;
  /** Images present at the start (others "pull" when in `pullable`). */
  readonly images?: readonly string[];
  readonly pullable?: readonly string[];
  /** Behaviour per start, chosen from the spec (default: runs until stopped). */
  readonly behaviour?: (spec: ContainerSpec, startCount: number) => FakeBehaviour;
  /** Answers exec (default: exit 0, no output). */
  readonly exec?: (container: ContainerInfo, cmd: readonly string[]) => ExecResult;
}

interface Entry {
  info: ContainerInfo;
  readonly spec: ContainerSpec;
  behaviour: FakeBehaviour;
  starts: number;
}

export class FakeRuntime implements ContainerRuntime {
  private readonly containers = new Map<string, Entry>();
  private readonly images: Set<string>;
  private nextId = 1;
  /** Every call, as readable lines ("create web/c", "stop web/c 30"), for assertions. */
  readonly calls: string[] = [];

  constructor(private readonly options: FakeRuntimeOptions) {
    this.images = new Set(options.images ?? []);
  }

  async version(): Promise<string> {
    return 'fake://1.0';
  }

  async list(labels: Readonly<Record<string, string>>): Promise<ContainerInfo[]> {
    const out: ContainerInfo[] = [];
    for (const e of this.containers.values()) {
      this.advance(e);
      if (Object.entries(labels).every(([k, v]) => e.info.labels[k] === v)) out.push(e.info);
    }
    return out;
  }

  async inspect(id: string): Promise<ContainerInfo> {
    const e = this.entry(id);
    this.advance(e);
    return e.info;
  }

  async create(spec: ContainerSpec): Promise<string> {
    if (!this.images.has(spec.image)) throw new RuntimeError(RuntimeErrorCode.ImageNotPresent, `image ${spec.image} is not present`);
    const id = `fake${String(this.nextId++).padStart(6, '0')}`;
    this.calls.push(`create ${spec.name}`);
    this.containers.set(id, {
      spec,
      behaviour: {},
      starts: 0,
      info: {
        id,
        name: spec.name,
        image: spec.image,
        imageId: `sha256:${spec.image}`,
        labels: { ...spec.labels },
        state: ContainerStateKind.Created,
        exitCode: 0,
        oomKilled: false,
        createdAt: this.options.clock.now(),
        ip: '',
      },
    });
    return id;
  }

  async start(id: string): Promise<void> {
    const e = this.entry(id);
    this.calls.push(`start ${e.info.name}`);
    e.starts++;
    e.behaviour = this.options.behaviour?.(e.spec, e.starts) ?? {};
    const n = Number.parseInt(id.slice(4), 10);
    e.info = { ...e.info, state: ContainerStateKind.Running, startedAt: this.options.clock.now(), finishedAt: undefined, exitCode: 0, oomKilled: false, ip: `10.88.${(n >> 8) & 255}.${n & 255}` };
    return;
  }

  async stop(id: string, graceSeconds: number): Promise<void> {
    const e = this.entry(id);
    this.calls.push(`stop ${e.info.name} ${graceSeconds}`);
    this.advance(e);
    if (e.info.state === ContainerStateKind.Running) this.exit(e, 137, false);
    return;
  }

  async remove(id: string): Promise<void> {
    const e = this.containers.get(id);
    if (e) this.calls.push(`remove ${e.info.name}`);
    this.containers.delete(id);
    return;
  }

  async exec(id: string, cmd: readonly string[]): Promise<ExecResult> {
    const e = this.entry(id);
    this.advance(e);
    if (e.info.state !== ContainerStateKind.Running) throw new RuntimeError(RuntimeErrorCode.NotFound, `container ${id} is not running`);
    return this.options.exec?.(e.info, cmd) ?? { exitCode: 0, output: '' };
  }

  async imagePresent(image: string): Promise<boolean> {
    return this.images.has(image);
  }

  async pull(image: string): Promise<void> {
    this.calls.push(`pull ${image}`);
    if (!(this.options.pullable ?? []).includes(image)) throw new RuntimeError(RuntimeErrorCode.PullFailed, `pull ${image}: no registry reachable`);
    this.images.add(image);
    return;
  }

  async loadImage(): Promise<string[]> {
    throw new RuntimeError(RuntimeErrorCode.Unavailable, 'the fake runtime cannot load tarballs');
  }

  async logs(): Promise<string> {
    return '';
  }

  /** Makes a running container exit now (a crash, or an OOM kill). */
  crash(id: string, exitCode: number, oomKilled = false): void {
    const e = this.entry(id);
    if (e.info.state === ContainerStateKind.Running) this.exit(e, exitCode, oomKilled);
  }

  private exit(e: Entry, exitCode: number, oomKilled: boolean, at = this.options.clock.now()): void {
    e.info = { ...e.info, state: ContainerStateKind.Exited, exitCode, oomKilled, finishedAt: at, ip: '' };
  }

  /** Applies the scripted exit once its time has come. */
  private advance(e: Entry): void {
    const { exitAfterMs, exitCode = 0, oomKilled = false } = e.behaviour;
    if (e.info.state !== ContainerStateKind.Running || exitAfterMs === undefined || e.info.startedAt === undefined) return;
    const at = e.info.startedAt + exitAfterMs;
    if (this.options.clock.now() >= at) this.exit(e, exitCode, oomKilled, at);
  }

  private entry(id: string): Entry {
    const e = this.containers.get(id);
    if (!e) throw new RuntimeError(RuntimeErrorCode.NotFound, `no container ${id}`);
    return e;
  }
}
