// Side effects an admission plugin makes outside the object (a cluster IP taken in the store)
// must follow the fate of the write: undone when the write is not made (refused later in the
// chain, failed validation, lost a compare-and-swap, dry run), finished when it is (an IP
// released once the Service is really gone). The registry makes one recorder per write attempt.

export interface WriteEffects {
  /** Runs when this attempt's write is not made. */
  onAbort(undo: () => Promise<void>): void;
  /** Runs after the write is in the store; removed = the write took the object out of the store. */
  onCommit(finish: (removed: boolean) => Promise<void>): void;
}

export class WriteEffectsRecorder implements WriteEffects {
  private readonly aborts: (() => Promise<void>)[] = [];
  private readonly commits: ((removed: boolean) => Promise<void>)[] = [];
  private settled = false;

  /** Effects failing here are reported, never thrown: the write's outcome stands, and repair loops mend leaks. */
  constructor(private readonly onError: (e: unknown) => void = () => {}) {}

  onAbort(undo: () => Promise<void>): void {
    this.aborts.push(undo);
  }

  onCommit(finish: (removed: boolean) => Promise<void>): void {
    this.commits.push(finish);
  }

  /** No-op once committed or aborted. */
  async abort(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    for (const f of this.aborts) await f().catch(this.onError);
  }

  async commit(removed: boolean): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    for (const f of this.commits) await f(removed).catch(this.onError);
  }
}
