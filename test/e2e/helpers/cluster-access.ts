// What an end-to-end step needs from a running cluster in the lab, whichever way it was brought
// up: the dev-mode lab of test/lab/helpers/lab.ts, or the installed bundle with secure init/join
// (test/e2e/helpers/installed-cluster.ts). Steps are written against this and nothing else.
import type { RunResult } from '../../lab/helpers/lab.js';

export type { RunResult };

export interface ClusterAccess {
  /** Worker host names, in order ('w1', 'w2'); each is also its Node's name. */
  readonly workers: readonly string[];
  /** shoalctl run in the client host, with every API server of the cluster in its config. */
  shoalctl(args: readonly string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  /** shoalctl … -o json, parsed; throws with shoalctl's stderr when it fails. */
  shoalctlJson<T>(args: readonly string[]): Promise<T>;
  /** A command inside a lab host's network namespace. */
  exec(host: string, cmd: string, args: readonly string[], opts?: { timeoutMs?: number; input?: string }): Promise<RunResult>;
  /** docker against a worker's own engine. */
  docker(worker: string, args: readonly string[], timeoutMs?: number): Promise<RunResult>;
  /** A powered-off host: the worker's agent, then its dockerd (with every container), stop. */
  stopWorker(worker: string): Promise<void>;
  /** Power back: its dockerd (same data root), then its agent, start again. */
  startWorker(worker: string): Promise<void>;
}
