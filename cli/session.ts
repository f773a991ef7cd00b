// One command's view of the global flags: config loaded once, servers and namespace resolved,
// a lazily opened API connection and the server's resource list (discovery, asked once).
import type { ShoalApi } from './shoal-api.js';
import type { CliConfig, CliContext } from './context.js';
import { UsageError } from './errors.js';
import { resolveResource, resourcesFromDiscovery } from './resources.js';
import type { ResourceInfo } from './resources.js';

/** Global flags as commander hands them over. */
export interface GlobalFlags {
  readonly config?: string;
  readonly server?: string;
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly output?: string;
  readonly requestTimeout?: string;
}

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml' | 'name';

/** "30s", "1m", "500ms", "0" (no limit), a bare number of seconds. */
export function parseTimeout(text: string, flag = '--request-timeout'): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`invalid ${flag} "${text}": use a duration such as 30s, 1m or 500ms`);
  const n = Number(m[1]);
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return n === 0 ? undefined : n * scale;
}

export function parseOutput(text: string | undefined, allowed: readonly OutputFormat[]): OutputFormat {
  if (text === undefined || text === '') return 'table';
  const formats = allowed.filter((f) => f !== 'table');
  if (!(formats as readonly string[]).includes(text)) {
    throw new UsageError(`unable to match a printer suitable for the output format "${text}", allowed formats are: ${formats.join(',')}`);
  }
  return text as OutputFormat;
}

export class Session {
  private loaded: Promise<{ config: CliConfig; path: string }> | undefined;
  private apiPromise: Promise<ShoalApi> | undefined;
  private resourcesPromise: Promise<ResourceInfo[]> | undefined;

  constructor(
    readonly ctx: CliContext,
    readonly flags: GlobalFlags,
  ) {}

  config(): Promise<{ config: CliConfig; path: string }> {
    this.loaded ??= this.ctx.config.load(this.flags.config);
    return this.loaded;
  }

  /** -n, else the config's current namespace. */
  async namespace(): Promise<string> {
    if (this.flags.namespace !== undefined && this.flags.namespace !== '') return this.flags.namespace;
    return (await this.config()).config.namespace;
  }

  get allNamespaces(): boolean {
    return this.flags.allNamespaces === true;
  }

  /** The namespace to list in: undefined for -A or cluster-scoped resources. */
  async listNamespace(info: ResourceInfo): Promise<string | undefined> {
    if (!info.namespaced || this.allNamespaces) return undefined;
    return this.namespace();
  }

  /** The namespace of a named object: "" for cluster-scoped. */
  async objectNamespace(info: ResourceInfo): Promise<string> {
    return info.namespaced ? this.namespace() : '';
  }

  /** The API; `impersonate` (first call only) acts as another user. */
  api(impersonate?: { readonly user: string; readonly groups: readonly string[] }): Promise<ShoalApi> {
    this.apiPromise ??= (async () => {
      const { config, path } = await this.config();
      const servers = this.flags.server ? this.flags.server.split(',').map((s) => s.trim()).filter((s) => s !== '') : config.servers;
      if (servers.length === 0) throw new UsageError('--server: give at least one host:port');
      const timeout = this.flags.requestTimeout === undefined ? undefined : parseTimeout(this.flags.requestTimeout);
      return this.ctx.connect({ servers, config, configPath: path, ...(timeout === undefined ? {} : { requestTimeoutMs: timeout }), ...(impersonate === undefined ? {} : { impersonate }) });
    })();
    return this.apiPromise;
  }

  resources(): Promise<ResourceInfo[]> {
    this.resourcesPromise ??= (async () => resourcesFromDiscovery(await (await this.api()).discovery(), this.ctx.columnsFor))();
    return this.resourcesPromise;
  }

  async resolve(typed: string): Promise<ResourceInfo> {
    return resolveResource(await this.resources(), typed);
  }

  async close(): Promise<void> {
    if (!this.apiPromise) return;
    try {
      (await this.apiPromise).close();
    } catch {
      // connecting failed: nothing to close
    }
  }
}
