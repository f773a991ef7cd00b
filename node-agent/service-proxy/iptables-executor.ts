// The iptables seam: what the proxier needs from the host's iptables, for one back end. The real
// executor runs that back end's binaries (iptables-<backend>-restore/-save, iptables-<backend>)
// with -w, optionally behind a prefix such as `nsenter --net=/var/run/netns/<ns>` (tests, the lab).
import { spawn } from 'node:child_process';
import type { IptablesBackend } from '../proxy/index.js';

export interface IptablesResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface IptablesExecutor {
  readonly backend: IptablesBackend;
  /** `iptables-restore -w --noflush` with `text` on stdin; a failure throws IptablesError naming the line. */
  restore(text: string): Promise<void>;
  /** `iptables-save [-t table]...`, concatenated. */
  save(tables?: readonly string[]): Promise<string>;
  /** `iptables -w ...argv`; a non-zero exit is a result, not an error (e.g. `-C` of a missing rule). */
  run(argv: readonly string[]): Promise<IptablesResult>;
}

export const IptablesErrorCode = {
  /** iptables-restore refused the text (`line` says where when it told us). */
  RestoreFailed: 'IPTABLES_RESTORE_FAILED',
  /** A plain iptables or iptables-save command failed. */
  CommandFailed: 'IPTABLES_COMMAND_FAILED',
  /** The binary is not installed (or not executable). */
  Missing: 'IPTABLES_MISSING',
  /** The command did not finish in time. */
  Timeout: 'IPTABLES_TIMEOUT',
} as const;
export type IptablesErrorCode = (typeof IptablesErrorCode)[keyof typeof IptablesErrorCode];

export class IptablesError extends Error {
  constructor(
    readonly code: IptablesErrorCode,
    message: string,
    readonly details: { command: string; stderr?: string; line?: number; lineText?: string } = { command: '' },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IptablesError';
  }
}

export interface CommandIptablesOptions {
  backend: IptablesBackend;
  /** argv put before every command, e.g. ['nsenter', '--net=/var/run/netns/lab-w1']. */
  prefix?: readonly string[];
  /** Per command (default 120 s: a 10 000 service restore on legacy takes several seconds). */
  timeoutMs?: number;
}

/** The binary for a back end: `iptables-nft`, `iptables-legacy-restore`, ... */
export function iptablesBinary(backend: IptablesBackend, tool: '' | '-save' | '-restore'): string {
  return `iptables-${backend}${tool}`;
}

export class CommandIptables implements IptablesExecutor {
  readonly backend: IptablesBackend;
  private readonly prefix: readonly string[];
  private readonly timeoutMs: number;

  constructor(o: CommandIptablesOptions) {
    this.backend = o.backend;
    this.prefix = o.prefix ?? [];
    this.timeoutMs = o.timeoutMs ?? 120_000;
  }

  async restore(text: string): Promise<void> {
    const r = await this.exec(iptablesBinary(this.backend, '-restore'), ['-w', '--noflush'], text);
    if (r.code === 0) return;
    throw restoreError(`${iptablesBinary(this.backend, '-restore')} -w --noflush`, r.stderr, text);
  }

  async save(tables: readonly string[] = []): Promise<string> {
    const bin = iptablesBinary(this.backend, '-save');
    const runs = tables.length === 0 ? [[]] : tables.map((t) => ['-t', t]);
    let out = '';
    for (const args of runs) {
      const r = await this.exec(bin, args);
      if (r.code !== 0) throw new IptablesError(IptablesErrorCode.CommandFailed, `${bin} ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`, { command: `${bin} ${args.join(' ')}`, stderr: r.stderr });
      out += r.stdout;
    }
    return out;
  }

  run(argv: readonly string[]): Promise<IptablesResult> {
    return this.exec(iptablesBinary(this.backend, ''), argv);
  }

  private exec(bin: string, args: readonly string[], stdin?: string): Promise<IptablesResult> {
    const argv = [...this.prefix, bin, ...args];
    const command = argv.join(' ');
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const timer = setTimeout(() => child.kill('SIGKILL'), this.timeoutMs);
      let timedOut = false;
      child.once('exit', (_c, sig) => {
        if (sig === 'SIGKILL') timedOut = true;
      });
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const missing = e.code === 'ENOENT' || e.code === 'EACCES';
        reject(new IptablesError(missing ? IptablesErrorCode.Missing : IptablesErrorCode.CommandFailed, `${argv[0]}: ${missing ? 'not found or not executable' : e.message}`, { command }, { cause: e }));
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        const stderr = Buffer.concat(err).toString('utf8');
        if (timedOut) return reject(new IptablesError(IptablesErrorCode.Timeout, `${command}: no answer within ${this.timeoutMs} ms`, { command, stderr }));
        // nsenter exits 127 (or 1 with "failed to execute") when the binary behind it is missing.
        if (this.prefix.length > 0 && (code === 127 || /failed to execute/.test(stderr)))
          return reject(new IptablesError(IptablesErrorCode.Missing, `${bin}: not found or not executable (${stderr.trim()})`, { command, stderr }));
        resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr });
      });
      // EPIPE when the command dies before reading stdin: its exit status tells what happened.
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin ?? '');
    });
  }
}

/**
 * The error for a failed restore, with the line iptables-restore named: "Error occurred at line: 3"
 * (parse errors; nft reports missing jump targets at the table's COMMIT) or "line 23 failed"
 * (the kernel refused a table).
 */
export function restoreError(command: string, stderr: string, text: string): IptablesError {
  const m = /Error occurred at line: (\d+)|line (\d+) failed/.exec(stderr);
  const line = m ? Number(m[1] ?? m[2]) : undefined;
  const lineText = line === undefined ? undefined : text.split('\n')[line - 1];
  const where = line === undefined ? '' : ` at line ${line}${lineText === undefined ? '' : `: ${lineText}`}`;
  return new IptablesError(IptablesErrorCode.RestoreFailed, `${command} failed${where} (${stderr.trim().split('\n').slice(-3).join('; ')})`, {
    command,
    stderr,
    ...(line === undefined ? {} : { line }),
    ...(lineText === undefined ? {} : { lineText }),
  });
}
