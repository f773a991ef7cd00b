// Reaching the cluster's API servers from init/join: a client from an admin config, a wait for
// the API to answer (bounded), and create-or-replace of the objects init publishes.
import type { KubeObject } from '../../api/kind.js';
import { clientOptionsFromConfig, loadConfig } from '../../client/config.js';
import { isAlreadyExists } from '../../client/errors.js';
import { defaultBackoff, ShoalClient } from '../../client/index.js';
import type { ClientCredentials } from '../../client/index.js';
import { BootstrapError } from './bootstrap-error.js';

export async function adminClient(configPath: string): Promise<ShoalClient> {
  const { config, path } = await loadConfig({ path: configPath });
  return new ShoalClient({ ...(await clientOptionsFromConfig(config, path)), ...BOUNDED });
}

// Short, bounded retries: the callers have their own outer loops.
const BOUNDED = { callTimeoutMs: 10_000, retry: { maxAttempts: 3, maxElapsedMs: 15_000, backoff: defaultBackoff } } as const;

export function clientFor(servers: readonly string[], credentials: ClientCredentials): ShoalClient {
  return new ShoalClient({ servers, credentials, ...BOUNDED });
}

export async function waitForApi(client: ShoalClient, o: { attempts?: number; intervalMs?: number } = {}): Promise<void> {
  const attempts = o.attempts ?? 120;
  let last = '';
  for (let i = 0; i < attempts; i++) {
    try {
      // A namespace the API server creates at start: answered once it has bootstrapped.
      await client.resource('namespaces', '').get('kube-system');
      return;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 1000));
  }
  throw new BootstrapError('api-not-ready', `no answer after ${attempts} attempts: ${last}`);
}

/** Creates the object, or replaces the existing one's content (keeping its resourceVersion). */
export async function apply(client: ShoalClient, resource: string, object: KubeObject): Promise<void> {
  const rc = client.resource(resource, object.metadata.namespace ?? '');
  try {
    await rc.create(object);
    return;
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
  await rc.updateWithRetry(object.metadata.name!, (cur) => ({ ...cur, ...object, metadata: { ...cur.metadata, ...object.metadata } }) as typeof cur);
}

/** Creates the object unless one of that name exists. */
export async function ensure(client: ShoalClient, resource: string, object: KubeObject): Promise<void> {
  try {
    await client.resource(resource, object.metadata.namespace ?? '').create(object);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}
