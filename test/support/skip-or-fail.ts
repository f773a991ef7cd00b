// A test whose prerequisite (root, Docker, namespaces) is missing: on a developer machine it skips
// loudly; in CI (CI=true) a skip would hide a test that never ran, so it fails.
import type { Test } from 'tap';

export function skipOrFailWithout(t: Test, msg: string): void {
  if (process.env.CI === 'true') t.fail(msg);
  else {
    process.stderr.write(`\n*** ${msg} — SKIPPING ***\n\n`);
    t.skip(msg, () => undefined);
  }
}
