// The in-memory twin of the container runtime: deterministic (ids and IPs count up, time comes
// from the injected clock), with scripted behaviour so unit tests and simulated nodes can make
// containers exit, be OOM-killed or fail probes on cue.
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import type { Clock } from '../../client/index.js';
import { ContainerStateKind, RuntimeError, RuntimeErrorCode } from './runtime.js';
import type { ContainerInfo, ContainerRuntime, ContainerSpec, ContainerUsage, ExecResult, ExecSession, ExecStreamOptions, LogStreamOptions } from './runtime.js';

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
  /** Answers execStream (default: copies stdin to stdout, exit 0). */
  readonly execStream?: (container: ContainerInfo, opts: ExecStreamOptions, io: FakeExecIo) => Promise<number>;
  /** Answers stats for a running container (default: 1 millicore, 1 MiB). */
  readonly stats?: (container: ContainerInfo) => ContainerUsage;
}

/** What a scripted streamed exec sees: stdin as bytes, and writers for its output. */
export interface FakeExecIo {
  readonly stdin: AsyncIterable<Buffer>;
  stdout(text: string | Buffer): void;
  stderr(text: string | Buffer): void;
  /** Resizes seen so far ("80x24"). */
  readonly resizes: string[];
}

interface LogLine {
  readonly at: number;
  readonly text: string;
}

interface Entry {
  info: ContainerInfo;
  readonly spec: ContainerSpec;
  behaviour: FakeBehaviour;
  starts: number;
  readonly log: LogLine[];
  /** Followed log streams and how each renders a line. */
  readonly followers: Map<PassThrough, (l: LogLine) => string>;
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
      log: [],
      followers: new Map(),
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

  /** "Loads" a tarball: the image is named fake-loaded/<first 12 hex of its sha256>:latest. */
  async loadImage(tarball: NodeJS.ReadableStream): Promise<string[]> {
    const hash = createHash('sha256');
    for await (const chunk of tarball as AsyncIterable<Buffer | string>) hash.update(chunk);
    const tag = `fake-loaded/${hash.digest('hex').slice(0, 12)}:latest`;
    this.calls.push(`load ${tag}`);
    this.images.add(tag);
    return [tag];
  }

  /** Appends output lines to a container's log (followers see them at once). */
  writeLog(id: string, text: string): void {
    const e = this.entry(id);
    const line = { at: this.options.clock.now(), text };
    e.log.push(line);
    for (const [f, render] of e.followers) f.write(render(line));
  }

  async logStream(id: string, opts: LogStreamOptions): Promise<NodeJS.ReadableStream> {
    const e = this.entry(id);
    this.advance(e);
    const lines = opts.tail === undefined ? e.log : opts.tail <= 0 ? [] : e.log.slice(-opts.tail);
    const render = (l: LogLine): string => (opts.timestamps ? `${new Date(l.at).toISOString()} ${l.text}` : l.text);
    if (!opts.follow || e.info.state !== ContainerStateKind.Running) return Readable.from([Buffer.from(lines.map(render).join(''))]);
    const out = new PassThrough();
    for (const l of lines) out.write(render(l));
    e.followers.set(out, render);
    out.on('close', () => e.followers.delete(out));
    return out;
  }

  async execStream(id: string, opts: ExecStreamOptions): Promise<ExecSession> {
    const e = this.entry(id);
    this.advance(e);
    if (e.info.state !== ContainerStateKind.Running) throw new RuntimeError(RuntimeErrorCode.NotFound, `container ${id} is not running`);
    this.calls.push(`exec ${e.info.name} ${opts.cmd.join(' ')}`);
    const stdin = new PassThrough();
    if (!opts.stdin) stdin.end();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const resizes: string[] = [];
    const io: FakeExecIo = {
      stdin: stdin as AsyncIterable<Buffer>,
      stdout: (b) => void stdout.write(b),
      stderr: (b) => void (opts.tty ? stdout : stderr).write(b),
      resizes,
    };
    const script =
      this.options.execStream ??
      (async (_c: ContainerInfo, _o: ExecStreamOptions, x: FakeExecIo): Promise<number> => {
        for await (const chunk of x.stdin) x.stdout(chunk);
        return 0;
      });
    const done = script(e.info, opts, io).finally(() => {
      stdout.end();
      stderr.end();
    });
    done.catch(() => undefined);
    return {
      stdin: opts.stdin ? stdin : undefined,
      stdout,
      stderr,
      resize: async (cols, rows) => void resizes.push(`${cols}x${rows}`),
      exitCode: () => done,
      close: () => {
        stdin.destroy();
        stdout.destroy();
        stderr.destroy();
      },
    };
  }

  async stats(id: string): Promise<ContainerUsage> {
    const e = this.entry(id);
    this.advance(e);
    if (e.info.state !== ContainerStateKind.Running) throw new RuntimeError(RuntimeErrorCode.NotFound, `container ${id} is not running`);
    return this.options.stats?.(e.info) ?? { cpuMillicores: 1, memoryBytes: 1 << 20 };
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
    // A followed log ends when the container stops.
    for (const f of e.followers.keys()) f.end();
    e.followers.clear();
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
