// The container runtime seam: everything the agent asks of Docker, in the agent's own terms.
// Two implementations: DockerRuntime (dockerode) and FakeRuntime (in memory, for unit tests and
// simulated nodes). Rules every implementation keeps:
// - containers are found by labels only (the agent keeps no id list that could go stale);
// - stop(grace) sends SIGTERM, waits up to grace seconds, then SIGKILL; stopping a stopped
//   container is not an error;
// - remove() of a missing container is not an error;
// - a failed operation throws RuntimeError with a stable code.

export const RuntimeErrorCode = {
  NotFound: 'RUNTIME_NOT_FOUND',
  ImageNotPresent: 'RUNTIME_IMAGE_NOT_PRESENT',
  PullFailed: 'RUNTIME_PULL_FAILED',
  CreateFailed: 'RUNTIME_CREATE_FAILED',
  StartFailed: 'RUNTIME_START_FAILED',
  Unavailable: 'RUNTIME_UNAVAILABLE',
} as const;
export type RuntimeErrorCode = (typeof RuntimeErrorCode)[keyof typeof RuntimeErrorCode];

export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface Mount {
  readonly hostPath: string;
  readonly containerPath: string;
  readonly readOnly: boolean;
}

export interface PortBinding {
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  readonly hostPort?: number;
  readonly hostIP?: string;
}

/** What the agent asks to create: already resolved (env values, host paths, limits in units). */
export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Replaces the image's entrypoint when set (Kubernetes `command`). */
  readonly entrypoint?: readonly string[];
  /** Replaces the image's cmd when set (Kubernetes `args`). */
  readonly cmd?: readonly string[];
  readonly env: readonly string[];
  readonly workingDir?: string;
  readonly mounts: readonly Mount[];
  readonly ports: readonly PortBinding[];
  /** CPU limit in billionths of a CPU (Docker NanoCpus); 0 = none. */
  readonly nanoCpus: number;
  /** Memory limit in bytes; 0 = none. */
  readonly memoryBytes: number;
  readonly hostname?: string;
  /** The network the container joins (Docker NetworkMode, e.g. the pod network "shoal"); absent = the runtime's default. */
  readonly network?: string;
}

export const ContainerStateKind = { Created: 'created', Running: 'running', Exited: 'exited' } as const;
export type ContainerStateKind = (typeof ContainerStateKind)[keyof typeof ContainerStateKind];

export interface ContainerInfo {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly imageId: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: ContainerStateKind;
  readonly exitCode: number;
  readonly oomKilled: boolean;
  /** Epoch ms; undefined before the first start. */
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /** Epoch ms of creation. */
  readonly createdAt: number;
  /** The container's address on the runtime's network ("" when not running). */
  readonly ip: string;
  readonly error?: string;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly output: string;
}

export interface LogOptions {
  readonly tail?: number;
  readonly timestamps?: boolean;
}

export interface LogStreamOptions {
  /** Keep the stream open for new output until the container stops (or the stream is destroyed). */
  readonly follow: boolean;
  /** Only the last n lines (undefined = all). */
  readonly tail?: number;
  readonly timestamps: boolean;
}

export interface ExecStreamOptions {
  readonly cmd: readonly string[];
  readonly stdin: boolean;
  readonly tty: boolean;
  readonly cols?: number;
  readonly rows?: number;
}

/** A running exec: stdout/stderr end when the command ends (with a TTY everything is on stdout). */
export interface ExecSession {
  /** Present when opened with stdin; end() closes the command's stdin. */
  readonly stdin: NodeJS.WritableStream | undefined;
  readonly stdout: NodeJS.ReadableStream;
  readonly stderr: NodeJS.ReadableStream;
  resize(cols: number, rows: number): Promise<void>;
  /** The exit code, once the output has ended. */
  exitCode(): Promise<number>;
  /** Abandons the exec (the caller went away): closes the streams. */
  close(): void;
}

/** A container's usage now: CPU in millicores (a rate over the runtime's sample), memory working set in bytes. */
export interface ContainerUsage {
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
}

export interface ContainerRuntime {
  /** A short name and version ("docker://24.0.5"), for NodeInfo. */
  version(): Promise<string>;
  /** Every container (running or not) whose labels include all of `labels`. */
  list(labels: Readonly<Record<string, string>>): Promise<ContainerInfo[]>;
  inspect(id: string): Promise<ContainerInfo>;
  create(spec: ContainerSpec): Promise<string>;
  start(id: string): Promise<void>;
  stop(id: string, graceSeconds: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** Runs cmd in a running container; rejects after timeoutMs with a RuntimeError. */
  exec(id: string, cmd: readonly string[], timeoutMs: number): Promise<ExecResult>;
  imagePresent(image: string): Promise<boolean>;
  pull(image: string): Promise<void>;
  /** Loads images from a `docker save` tarball; returns the tags loaded. */
  loadImage(tarball: NodeJS.ReadableStream): Promise<string[]>;
  logs(id: string, opts?: LogOptions): Promise<string>;
  /** The container's output (stdout and stderr interleaved, demultiplexed) as a byte stream. */
  logStream(id: string, opts: LogStreamOptions): Promise<NodeJS.ReadableStream>;
  /** Runs cmd in a running container with streamed stdin/stdout/stderr (shoalctl exec). */
  execStream(id: string, opts: ExecStreamOptions): Promise<ExecSession>;
  /** One-shot usage of a running container (shoalctl top). */
  stats(id: string): Promise<ContainerUsage>;
}
