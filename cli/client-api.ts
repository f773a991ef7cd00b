// The real ShoalApi: client/'s ShoalClient (failover across the servers, retries, ApiError with
// codes and causes) and its ~/.shoal/config loader.
import { ConfigError, ShoalClient, clientOptionsFromConfig, defaultBackoff, loadConfig, saveConfig } from '../client/index.js';
import type { ShoalConfig } from '../client/index.js';
import type { CliConfig, ConfigStore, ConnectOptions } from './context.js';
import { CliError } from './errors.js';
import type { ShoalApi } from './shoal-api.js';

function configFailure(err: unknown): never {
  if (err instanceof ConfigError) throw new CliError('CONFIG', err.message, { cause: err });
  throw err;
}

export function clientConfigStore(env: Readonly<Record<string, string | undefined>>, homeDir: string): ConfigStore {
  return {
    async load(path) {
      try {
        const loaded = await loadConfig({ ...(path === undefined ? {} : { path }), env, homeDir, optional: true });
        return { config: loaded.config as CliConfig, path: loaded.path, exists: loaded.exists };
      } catch (err) {
        return configFailure(err);
      }
    },
    async save(path, config) {
      try {
        return await saveConfig(config as ShoalConfig, { ...(path === undefined ? {} : { path }), env, homeDir });
      } catch (err) {
        return configFailure(err);
      }
    },
  };
}

/** A person waits at a terminal: fail over through every server twice, then give up within 10 s. */
function cliRetry(servers: number): { maxAttempts: number; maxElapsedMs: number; backoff: typeof defaultBackoff } {
  return { maxAttempts: servers * 2 + 1, maxElapsedMs: 10_000, backoff: defaultBackoff };
}

export async function connectClient(options: ConnectOptions): Promise<ShoalApi> {
  let clientOptions;
  try {
    clientOptions = await clientOptionsFromConfig(options.config as ShoalConfig, options.configPath);
  } catch (err) {
    return configFailure(err);
  }
  let client: ShoalClient;
  try {
    const creds = clientOptions.credentials;
    client = new ShoalClient({
      ...clientOptions,
      ...(options.impersonate === undefined || creds === undefined ? {} : { credentials: { ...creds, impersonate: options.impersonate } }),
      servers: options.servers,
      retry: cliRetry(options.servers.length),
      ...(options.requestTimeoutMs === undefined ? {} : { callTimeoutMs: options.requestTimeoutMs }),
    });
  } catch (err) {
    throw new CliError('BAD_SERVER', err instanceof Error ? err.message : String(err));
  }
  const res = (resource: string, namespace: string | undefined) => client.resource(resource, namespace ?? '');
  return {
    async discovery() {
      return client.discovery();
    },
    get: (resource, namespace, name) => res(resource, namespace).get(name),
    async list(resource, o) {
      const list = await res(resource, o.namespace).listAll({
        ...(o.labelSelector === undefined ? {} : { labelSelector: o.labelSelector }),
        ...(o.fieldSelector === undefined ? {} : { fieldSelector: o.fieldSelector }),
      });
      return { items: list.items, resourceVersion: list.resourceVersion };
    },
    create: (resource, namespace, object, dryRun) => res(resource, namespace).create(object, { dryRun }),
    patch: (resource, namespace, name, patch, dryRun, subresource = '') => res(resource, namespace).patchSubresource(name, subresource, patch as Record<string, unknown>, { dryRun }),
    delete: (resource, namespace, name, o) =>
      res(resource, namespace).delete(name, { dryRun: o.dryRun, ...(o.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: o.gracePeriodSeconds }) }),
    evict: (namespace, name, o) =>
      res('pods', namespace).evict(name, { dryRun: o.dryRun, ...(o.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: o.gracePeriodSeconds }) }),
    async watch(resource, o, onEvent, signal) {
      const watch = res(resource, o.namespace).watch({
        ...(o.labelSelector === undefined ? {} : { labelSelector: o.labelSelector }),
        ...(o.fieldSelector === undefined ? {} : { fieldSelector: o.fieldSelector }),
        resourceVersion: o.resourceVersion,
        signal,
      });
      for await (const event of watch) {
        if (event.type !== 'BOOKMARK') onEvent({ type: event.type, object: event.object });
      }
    },
    version: () => client.version(),
    componentStatuses: () => client.componentStatuses(),
    members: () => client.members(),
    podLogs: (o, out) => client.streams.podLogs(o, out),
    podExec: (o, stdout, stderr) => client.streams.podExec(o, stdout, stderr),
    imageLoad: (o) => client.streams.imageLoad(o),
    nodeStats: (node, signal) => client.streams.nodeStats(node, signal),
    close: () => client.close(),
  };
}
