/** A safety or liveness property of Raft (or a rule of the Ready contract) did not hold. */
export class InvariantViolation extends Error {
  constructor(
    /** A stable name of the property, e.g. 'election-safety'. */
    readonly property: string,
    readonly detail: string,
  ) {
    super(`${property}: ${detail}`);
    this.name = 'InvariantViolation';
  }
}
