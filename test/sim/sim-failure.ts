/** A run broke a property: everything needed to understand and replay it. */
export class SimFailure extends Error {
  constructor(
    readonly seed: number,
    readonly profile: string,
    readonly step: number,
    readonly tick: number,
    readonly property: string,
    readonly detail: string,
    readonly settings: string,
    readonly lastEvents: string[],
    readonly fullTrace: string[] | undefined,
    options?: { cause?: unknown },
  ) {
    super(`seed ${seed} (${profile}) step ${step} t=${tick}: ${property}: ${detail}`, options);
    this.name = 'SimFailure';
  }

  get replay(): string {
    return `SIM_GROUP=${this.profile} SIM_SEED=${this.seed} npx tap test/raft/sim.test.ts`;
  }

  /** The report printed by the test: what broke, how to replay it, and what led up to it. */
  report(): string {
    return [
      `raft simulation failed: ${this.property}`,
      `  seed=${this.seed} group=${this.profile} step=${this.step} t=${this.tick}`,
      `  ${this.detail}`,
      `  settings: ${this.settings}`,
      `  replay: ${this.replay}   (add SIM_TRACE=1 for the whole trace)`,
      `  last ${this.lastEvents.length} events:`,
      ...this.lastEvents.map((l) => `    ${l}`),
    ].join('\n');
  }
}
