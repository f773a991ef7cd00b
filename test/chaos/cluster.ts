// The seam between the chaos harness and the store under test. EtcdCluster runs real etcd; a
// ShoalCluster will run shoal-control-plane behind the same interface, and nothing else in the
// harness changes.
//
// Rules for implementations:
// - Members listen on 127.0.0.1 only, on ports chosen free, with data in temporary directories.
// - kill() is SIGKILL and resolves once the process has exited; pause()/resume() are
//   SIGSTOP/SIGCONT; restart() starts a member again on its existing data (killing it first if
//   it is up) and resolves once it accepts client connections.
// - stop() leaves no process behind, also after a failed start, and may be called more than once.
// - Every wait is bounded; failures are ClusterError with a stable code.

export type MemberState = 'running' | 'paused' | 'down';

export interface MemberInfo {
  readonly name: string;
  /** null while the member is down. */
  readonly pid: number | null;
  /** e.g. http://127.0.0.1:41234, what an etcd v3 client dials. */
  readonly clientUrl: string;
  readonly state: MemberState;
}

export interface Cluster {
  /** Starts every member; resolves once they all answer and a leader is elected. */
  start(): Promise<void>;
  members(): readonly MemberInfo[];
  kill(name: string): Promise<void>;
  pause(name: string): Promise<void>;
  resume(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  /** The leader's name as the members that answer in time report it; null if none is known. */
  leader(): Promise<string | null>;
  stop(): Promise<void>;
}

export const ClusterErrorCode = {
  UnknownMember: 'unknown-member',
  StartTimeout: 'start-timeout',
  ExitedEarly: 'exited-early',
  ExitTimeout: 'exit-timeout',
  SignalTimeout: 'signal-timeout',
  NotRunning: 'not-running',
  Stopped: 'stopped',
} as const;
export type ClusterErrorCode = (typeof ClusterErrorCode)[keyof typeof ClusterErrorCode];

export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  readonly code: ClusterErrorCode;
  readonly member: string | null;

  constructor(code: ClusterErrorCode, member: string | null, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.member = member;
  }
}
