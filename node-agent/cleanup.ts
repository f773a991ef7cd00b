// `shoal-agent cleanup`: undoes what the agent programmed on this host, as a list of independent
// steps (the pod network; the service proxy's rules add theirs). Every step runs even when one
// before it failed; each is idempotent, so running cleanup twice is fine.
export interface CleanupStep {
  readonly name: string;
  /** Lines saying what was removed. */
  run(): Promise<string[]>;
}

export interface CleanupReport {
  readonly ok: boolean;
  readonly lines: string[];
}

export async function runCleanup(steps: readonly CleanupStep[]): Promise<CleanupReport> {
  const lines: string[] = [];
  let ok = true;
  for (const s of steps) {
    try {
      for (const l of await s.run()) lines.push(`${s.name}: ${l}`);
    } catch (e) {
      ok = false;
      lines.push(`${s.name}: FAILED: ${(e as Error).message}`);
    }
  }
  return { ok, lines };
}
