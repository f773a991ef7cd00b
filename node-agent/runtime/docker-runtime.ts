// The container runtime on a Docker engine (dockerode over the engine's unix socket).
import { PassThrough, Readable } from 'node:stream';
import Docker from 'dockerode';
import { ContainerStateKind, RuntimeError, RuntimeErrorCode } from './runtime.js';
import { usageFromDockerStats } from './docker-stats.js';
import type { DockerStats } from './docker-stats.js';
import type { ContainerInfo, ContainerRuntime, ContainerSpec, ContainerUsage, ExecResult, ExecSession, ExecStreamOptions, LogOptions, LogStreamOptions } from './runtime.js';

export interface DockerRuntimeOptions {
  /** Default /var/run/docker.sock. */
  readonly socketPath?: string;
}

const statusCode = (e: unknown): number | undefined => (e as { statusCode?: number } | null)?.statusCode;

/** Docker's zero time ("0001-01-01T00:00:00Z") means "never". */
function epochMs(text: string | undefined): number | undefined {
  if (!text || text.startsWith('0001-')) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function stateKind(status: string): ContainerStateKind {
  if (status === 'running' || status === 'paused' || status === 'restarting') return ContainerStateKind.Running;
  if (status === 'created') return ContainerStateKind.Created;
  return ContainerStateKind.Exited;
}

/** Splits Docker's multiplexed stdout/stderr frames (8-byte headers) into one text. */
export function demuxDockerFrames(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i];
    const size = buf.readUInt32BE(i + 4);
    // Not a frame header: the stream was a TTY stream, return it as is.
    if (kind === undefined || kind > 2 || buf[i + 1] !== 0) return buf.toString('utf8');
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

export class DockerRuntime implements ContainerRuntime {
  readonly docker: Docker;

  constructor(options: DockerRuntimeOptions = {}) {
    this.docker = new Docker({ socketPath: options.socketPath ?? '/var/run/docker.sock' });
  }

  async version(): Promise<string> {
    const v = await this.wrap('version', () => this.docker.version());
    return `docker://${v.Version}`;
  }

  async list(labels: Readonly<Record<string, string>>): Promise<ContainerInfo[]> {
    const filters = JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });
    const found = await this.wrap('list containers', () => this.docker.listContainers({ all: true, filters }));
    const out: ContainerInfo[] = [];
    for (const c of found) {
      try {
        out.push(await this.inspect(c.Id));
      } catch (e) {
        // Removed between list and inspect.
        if (!(e instanceof RuntimeError && e.code === RuntimeErrorCode.NotFound)) throw e;
      }
    }
    return out;
  }

  async inspect(id: string): Promise<ContainerInfo> {
    const i = await this.wrap(`inspect ${id}`, () => this.docker.getContainer(id).inspect());
    const nets = Object.values(i.NetworkSettings.Networks ?? {});
    const ip = (i.NetworkSettings as { IPAddress?: string }).IPAddress || nets.find((n) => n.IPAddress)?.IPAddress || '';
    return {
      id: i.Id,
      name: i.Name.replace(/^\//, ''),
      image: i.Config.Image,
      imageId: i.Image,
      labels: i.Config.Labels ?? {},
      state: stateKind(i.State.Status),
      exitCode: i.State.ExitCode,
      oomKilled: i.State.OOMKilled,
      startedAt: epochMs(i.State.StartedAt),
      finishedAt: epochMs(i.State.FinishedAt),
      createdAt: epochMs(i.Created) ?? 0,
      ip: i.State.Running ? ip : '',
      ...(i.State.Error ? { error: i.State.Error } : {}),
    };
  }

  async create(spec: ContainerSpec): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostPort: string; HostIp?: string }[]> = {};
    for (const p of spec.ports) {
      const key = `${p.containerPort}/${p.protocol}`;
      exposed[key] = {};
      if (p.hostPort !== undefined) (bindings[key] ??= []).push({ HostPort: String(p.hostPort), ...(p.hostIP ? { HostIp: p.hostIP } : {}) });
    }
    const c = await this.wrap(
      `create ${spec.name}`,
      () =>
        this.docker.createContainer({
          name: spec.name,
          Image: spec.image,
          Labels: { ...spec.labels },
          ...(spec.entrypoint ? { Entrypoint: [...spec.entrypoint] } : {}),
          ...(spec.cmd ? { Cmd: [...spec.cmd] } : {}),
          Env: [...spec.env],
          ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
          ...(spec.hostname ? { Hostname: spec.hostname } : {}),
          ExposedPorts: exposed,
          HostConfig: {
            Binds: spec.mounts.map((m) => `${m.hostPath}:${m.containerPath}${m.readOnly ? ':ro' : ''}`),
            PortBindings: bindings,
            NanoCpus: spec.nanoCpus,
            Memory: spec.memoryBytes,
            ...(spec.network ? { NetworkMode: spec.network } : {}),
          },
        }),
      RuntimeErrorCode.CreateFailed,
    );
    return c.id;
  }

  async start(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (e) {
      if (statusCode(e) === 304) return; // already started
      throw this.error(`start ${id}`, e, RuntimeErrorCode.StartFailed);
    }
  }

  async stop(id: string, graceSeconds: number): Promise<void> {
    try {
      // Docker's stop is the rule: SIGTERM, wait t seconds, SIGKILL.
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.floor(graceSeconds)) });
    } catch (e) {
      const code = statusCode(e);
      if (code === 304 || code === 404) return;
      throw this.error(`stop ${id}`, e);
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (e) {
      const code = statusCode(e);
      if (code === 404) return;
      // 409 "removal already in progress" ends the same way.
      if (code === 409 && /in progress/.test(String((e as Error).message))) return;
      throw this.error(`remove ${id}`, e);
    }
  }

  async exec(id: string, cmd: readonly string[], timeoutMs: number): Promise<ExecResult> {
    const exec = await this.wrap(`exec in ${id}`, () => this.docker.getContainer(id).exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true }));
    const stream = await this.wrap(`exec in ${id}`, () => exec.start({ hijack: true, stdin: false }));
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (b: Buffer) => chunks.push(b));
    this.docker.modem.demuxStream(stream, out, out);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.destroy();
        reject(new RuntimeError(RuntimeErrorCode.Unavailable, `exec ${JSON.stringify(cmd)} in ${id}: timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', (e) => {
        clearTimeout(timer);
        reject(this.error(`exec in ${id}`, e));
      });
    });
    const info = await this.wrap(`exec in ${id}`, () => exec.inspect());
    return { exitCode: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString('utf8') };
  }

  async imagePresent(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (e) {
      if (statusCode(e) === 404) return false;
      throw this.error(`inspect image ${image}`, e);
    }
  }

  async pull(image: string): Promise<void> {
    const stream = await this.wrap(`pull ${image}`, () => this.docker.pull(image), RuntimeErrorCode.PullFailed);
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(this.error(`pull ${image}`, err, RuntimeErrorCode.PullFailed)) : resolve()));
    });
  }

  async loadImage(tarball: NodeJS.ReadableStream): Promise<string[]> {
    const res = await this.wrap('load image', () => this.docker.loadImage(tarball as never));
    const text = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    const tags: string[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const msg = JSON.parse(line) as { stream?: string; error?: string };
      if (msg.error) throw new RuntimeError(RuntimeErrorCode.Unavailable, `load image: ${msg.error}`);
      const m = /Loaded image(?: ID)?: (\S+)/.exec(msg.stream ?? '');
      if (m?.[1]) tags.push(m[1]);
    }
    return tags;
  }

  async stats(id: string): Promise<ContainerUsage> {
    const s = await this.wrap(`stats ${id}`, () => this.docker.getContainer(id).stats({ stream: false }));
    return usageFromDockerStats(s as unknown as DockerStats);
  }

  async logs(id: string, opts: LogOptions = {}): Promise<string> {
    const buf = await this.wrap(`logs ${id}`, () =>
      this.docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, timestamps: opts.timestamps ?? false, ...(opts.tail !== undefined ? { tail: opts.tail } : {}) }),
    );
    return demuxDockerFrames(buf);
  }

  async logStream(id: string, opts: LogStreamOptions): Promise<NodeJS.ReadableStream> {
    const c = this.docker.getContainer(id);
    const base = { stdout: true, stderr: true, timestamps: opts.timestamps, ...(opts.tail !== undefined ? { tail: opts.tail } : {}) };
    if (!opts.follow) {
      const buf = await this.wrap(`logs ${id}`, () => c.logs({ ...base, follow: false }));
      return Readable.from([Buffer.from(demuxDockerFrames(buf), 'utf8')]);
    }
    const raw = await this.wrap(`logs ${id}`, () => c.logs({ ...base, follow: true }));
    // The agent never creates TTY containers, so the stream always has Docker's 8-byte frame headers.
    const out = new PassThrough();
    this.docker.modem.demuxStream(raw, out, out);
    raw.on('end', () => out.end());
    raw.on('error', (e: Error) => out.destroy(e));
    out.on('close', () => (raw as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.());
    return out;
  }

  async execStream(id: string, opts: ExecStreamOptions): Promise<ExecSession> {
    const exec = await this.wrap(`exec in ${id}`, () =>
      this.docker.getContainer(id).exec({ Cmd: [...opts.cmd], AttachStdin: opts.stdin, AttachStdout: true, AttachStderr: true, Tty: opts.tty }),
    );
    const socket = await this.wrap(`exec in ${id}`, () => exec.start({ hijack: true, stdin: opts.stdin, Tty: opts.tty }));
    if (opts.tty && opts.cols && opts.rows) await exec.resize({ w: opts.cols, h: opts.rows }).catch(() => undefined);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    if (opts.tty) socket.pipe(stdout);
    else {
      this.docker.modem.demuxStream(socket, stdout, stderr);
      const finish = (): void => {
        stdout.end();
        stderr.end();
      };
      socket.on('end', finish);
      socket.on('close', finish);
    }
    const ended = new Promise<void>((resolve) => {
      socket.on('end', resolve);
      socket.on('close', resolve);
      socket.on('error', () => resolve());
    });
    return {
      stdin: opts.stdin ? socket : undefined,
      stdout,
      stderr: opts.tty ? Readable.from([]) : stderr,
      resize: async (cols, rows) => {
        await this.wrap(`exec resize in ${id}`, () => exec.resize({ w: cols, h: rows }));
      },
      exitCode: async () => {
        await ended;
        // Docker may report Running for a moment after the stream ended.
        for (let i = 0; i < 50; i++) {
          const info = await this.wrap(`exec in ${id}`, () => exec.inspect());
          if (!info.Running) return info.ExitCode ?? -1;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new RuntimeError(RuntimeErrorCode.Unavailable, `exec in ${id}: the command's output ended but Docker still reports it running`);
      },
      close: () => {
        socket.destroy();
        stdout.destroy();
        stderr.destroy();
      },
    };
  }

  private async wrap<T>(what: string, f: () => Promise<T>, code: RuntimeErrorCode = RuntimeErrorCode.Unavailable): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw this.error(what, e, code);
    }
  }

  private error(what: string, e: unknown, code: RuntimeErrorCode = RuntimeErrorCode.Unavailable): RuntimeError {
    if (e instanceof RuntimeError) return e;
    const c = statusCode(e) === 404 ? (what.startsWith('create') ? RuntimeErrorCode.ImageNotPresent : RuntimeErrorCode.NotFound) : code;
    const msg = (e as Error | null)?.message ?? String(e);
    return new RuntimeError(c, `docker ${what}: ${msg}`, { cause: e });
  }
}
