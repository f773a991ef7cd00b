// What a plugin says about a pod: fine, not here (with reasons a user can read), or "nothing to
// do for this pod" (Skip: a PreFilter that skips removes its Filter from the cycle).
// Unschedulable is an expected outcome, a value; throw is for broken invariants only.

export type Status =
  | { readonly code: 'Success' }
  | { readonly code: 'Skip' }
  | { readonly code: 'Unschedulable'; readonly plugin: string; readonly reasons: readonly string[] };

export const SUCCESS: Status = { code: 'Success' };
export const SKIP: Status = { code: 'Skip' };

export const unschedulable = (plugin: string, ...reasons: string[]): Status => ({ code: 'Unschedulable', plugin, reasons });

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
