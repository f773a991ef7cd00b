// Whether an exited container runs again, by the pod's restartPolicy (init containers: an init
// container that failed is retried unless the policy is Never; one that succeeded never reruns).
import type { RestartPolicy } from '../../api/index.js';

export function shouldRestart(policy: RestartPolicy, exitCode: number): boolean {
  switch (policy) {
    case 'Always':
      return true;
    case 'OnFailure':
      return exitCode !== 0;
    case 'Never':
      return false;
    default:
      return assertNever(policy);
  }
}

export function shouldRestartInit(policy: RestartPolicy, exitCode: number): boolean {
  return exitCode !== 0 && policy !== 'Never';
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}
