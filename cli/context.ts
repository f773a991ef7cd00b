// Everything a shoalctl run touches outside its own logic, passed in: output streams, stdin,
// the clock, the config file, the API connection and the interrupt signal. bin/shoalctl.js
// builds the real one (cli/main.ts); tests build their own.
import type { TableColumn } from '../api/kind.js';
import type { ShoalApi } from './shoal-api.js';

/** The config as shoalctl uses it (client/'s ~/.shoal/config). */
export interface CliConfig {
  readonly servers: readonly string[];
  readonly namespace: string;
  /** The raw credentials section, for `config view` (secrets redacted there). */
  readonly credentials: Readonly<Record<string, string>>;
}

export interface ConfigStore {
  /** The config at `path` (--config) or the default location; a missing file gives the defaults. */
  load(path: string | undefined): Promise<{ config: CliConfig; path: string; exists: boolean }>;
  save(path: string | undefined, config: CliConfig): Promise<string>;
}

export interface ConnectOptions {
  readonly servers: readonly string[];
  readonly config: CliConfig;
  readonly configPath: string;
  /** Per-call deadline (--request-timeout); undefined = the client's default. */
  readonly requestTimeoutMs?: number;
  /** Act as this user and groups (--as, --as-group). */
  readonly impersonate?: { readonly user: string; readonly groups: readonly string[] };
}

export interface ClientVersion {
  readonly version: string;
  readonly gitCommit: string;
  readonly nodeVersion: string;
  readonly platform: string;
}

/** The process's own streams, for byte output and interactive input (logs, exec). */
export interface CliStdio {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean; setRawMode?(raw: boolean): unknown };
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number; readonly rows?: number };
}

export interface CliContext {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** All of stdin as text (for `-f -`). */
  readonly readStdin: () => string;
  readonly now: () => Date;
  /** Cryptographically secure random bytes (bootstrap tokens, certificate serials). */
  readonly randomBytes: (n: number) => Uint8Array;
  readonly config: ConfigStore;
  readonly connect: (options: ConnectOptions) => Promise<ShoalApi>;
  /** Aborts when the user interrupts (Ctrl-C): watches end cleanly. */
  readonly interrupted: AbortSignal;
  readonly clientVersion: () => ClientVersion;
  /** Table columns of a resource from api/'s KindDefinitions (undefined: NAME and AGE). */
  readonly columnsFor: (resource: string) => readonly TableColumn[] | undefined;
  /** Resource names known without a server (for completion): plural, singular and short names. */
  readonly knownResourceNames: () => readonly string[];
  /** Waits between polls (--wait); injected so nothing hides a clock. Ends early (resolves) when signal aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Absent in tests that capture text: output then goes through stdout() as text. */
  readonly stdio?: CliStdio;
}
