// shoalctl's failures. Every one prints as one clear line (validation: one line per cause) and
// maps to an exit status: 2 for usage errors, 1 for everything else. Never a stack trace.

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = options.exitCode ?? EXIT.failed;
  }
  /** The lines printed on stderr. */
  lines(): string[] {
    return [`error: ${this.message}`];
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super('USAGE', message, { exitCode: EXIT.usage });
    this.name = 'UsageError';
  }
}

export class UnknownResourceError extends CliError {
  readonly resource: string;
  constructor(resource: string, message = `the server doesn't have a resource type "${resource}"`) {
    super('UNKNOWN_RESOURCE', message);
    this.name = 'UnknownResourceError';
    this.resource = resource;
  }
}

export class ManifestError extends CliError {
  constructor(source: string, message: string) {
    super('MANIFEST', `${source}: ${message}`);
    this.name = 'ManifestError';
  }
}

/** A field cause as the API reports it (trailing metadata "shoal-causes"). */
export interface Cause {
  readonly field: string;
  readonly message: string;
}

/** An error the API server returned, normalized from the client's error. */
export class ServerError extends CliError {
  readonly grpcCode: string;
  readonly causes: readonly Cause[];
  /** Kind and name of the object the request was about, for validation lines. */
  readonly subject: { kind?: string; name?: string };
  constructor(grpcCode: string, message: string, causes: readonly Cause[], subject: { kind?: string; name?: string }, cause?: unknown) {
    super(grpcCode, message, { cause });
    this.name = 'ServerError';
    this.grpcCode = grpcCode;
    this.causes = causes;
    this.subject = subject;
  }
  override lines(): string[] {
    if (this.grpcCode === 'INVALID_ARGUMENT' && this.causes.length > 0 && this.subject.kind) {
      const head = `The ${this.subject.kind} "${this.subject.name ?? ''}" is invalid`;
      return this.causes.map((c) => (c.field ? `${head}: ${c.field}: ${c.message}` : `${head}: ${c.message}`));
    }
    return [`error: ${this.message}`];
  }
}

/** gRPC status numbers → names (the codes api.proto's header uses). */
const GRPC_CODE_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;

export function grpcCodeName(code: unknown): string | undefined {
  if (typeof code === 'number') return GRPC_CODE_NAMES[code];
  if (typeof code === 'string') {
    const upper = code.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
    return (GRPC_CODE_NAMES as readonly string[]).includes(upper) ? upper : undefined;
  }
  return undefined;
}

function readCauses(raw: unknown): Cause[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((c: unknown) => {
    if (typeof c !== 'object' || c === null) return [];
    const r = c as Record<string, unknown>;
    const field = typeof r.field === 'string' ? r.field : '';
    const message = [r.message, r.detail].find((m): m is string => typeof m === 'string') ?? '';
    return [{ field, message }];
  });
}

/** Strips gRPC's "3 INVALID_ARGUMENT: " prefix and grpc-js's connection noise from a message. */
export function cleanMessage(message: string): string {
  return message
    .replace(/\d+ [A-Z_]+: /g, '')
    .replace(/No connection established\. Last error: (Error: )?/g, '')
    .replace(/\.? ?Resolution note:.*$/s, '')
    .trim();
}

/**
 * Turns whatever a client call threw into a CliError: client ApiErrors (code/grpcCode, causes)
 * and raw gRPC errors (numeric code, details) alike. Errors that are already CliErrors pass.
 */
export function toCliError(err: unknown, subject: { kind?: string; name?: string } = {}): CliError {
  if (err instanceof CliError) return err;
  if (typeof err === 'object' && err !== null) {
    const e = err as Record<string, unknown>;
    const code = grpcCodeName(e.grpcCode) ?? grpcCodeName(e.code) ?? grpcCodeName(e.status);
    const message = typeof e.message === 'string' ? e.message : typeof e.details === 'string' ? e.details : String(err);
    if (code) return new ServerError(code, cleanMessage(message), readCauses(e.causes), subject, err);
    if (err instanceof Error) return new CliError('INTERNAL', err.message, { cause: err });
  }
  return new CliError('INTERNAL', String(err));
}

/** Lines to print for any thrown value. */
export function errorLines(err: unknown): string[] {
  return toCliError(err).lines();
}

/** Some items failed and their errors were already printed: only the exit status is left. */
export class AlreadyReported extends CliError {
  constructor() {
    super('ALREADY_REPORTED', 'some operations failed');
    this.name = 'AlreadyReported';
  }
  override lines(): string[] {
    return [];
  }
}
