// The container runtime seam and its two implementations.
export { RuntimeError, RuntimeErrorCode, ContainerStateKind } from './runtime.js';
export type { ContainerInfo, ContainerRuntime, ContainerSpec, ContainerUsage, ExecResult, ExecSession, ExecStreamOptions, LogOptions, LogStreamOptions, Mount, PortBinding } from './runtime.js';
export { DockerRuntime, demuxDockerFrames } from './docker-runtime.js';
export { usageFromDockerStats } from './docker-stats.js';
export type { DockerStats } from './docker-stats.js';
export type { DockerRuntimeOptions } from './docker-runtime.js';
export { FakeRuntime } from './fake-runtime.js';
export type { FakeBehaviour, FakeExecIo, FakeRuntimeOptions } from './fake-runtime.js';
