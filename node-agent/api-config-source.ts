// ConfigMaps and Secrets from the API server, each copy kept on disk: when the API server is
// out of reach a container can still be (re)started with the last values seen.
import { join } from 'node:path';
import type { ConfigMap, Secret } from '../api/index.js';
import { isNotFound } from '../client/index.js';
import type { ShoalClient } from '../client/index.js';
import { DiskCache } from './disk-cache.js';
import type { Logger } from './logger.js';
import type { ConfigSource } from './pod/config-data.js';

type Values = Readonly<Record<string, string>>;

export class ApiConfigSource implements ConfigSource {
  private readonly cms: DiskCache<Values | null>;
  private readonly secrets: DiskCache<Values | null>;

  constructor(
    private readonly client: ShoalClient,
    dataDir: string,
    private readonly log: Logger,
  ) {
    this.cms = new DiskCache(join(dataDir, 'cache', 'configmaps'));
    this.secrets = new DiskCache(join(dataDir, 'cache', 'secrets'));
  }

  configMap(namespace: string, name: string): Promise<Values | undefined> {
    return this.fetch(this.cms, 'configmaps', namespace, name, (o) => {
      const cm = o as ConfigMap;
      return { ...(cm.data ?? {}) };
    });
  }

  secret(namespace: string, name: string): Promise<Values | undefined> {
    return this.fetch(this.secrets, 'secrets', namespace, name, (o) => {
      const s = o as Secret;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(String(v), 'base64').toString('utf8');
      for (const [k, v] of Object.entries((s as { stringData?: Record<string, string> }).stringData ?? {})) out[k] = v;
      return out;
    });
  }

  private async fetch(cache: DiskCache<Values | null>, resource: string, ns: string, name: string, values: (o: unknown) => Values): Promise<Values | undefined> {
    const key = `${ns}.${name}`;
    try {
      const o = await this.client.resource(resource, ns).get(name, { timeoutMs: 5_000 });
      const v = values(o);
      await cache.put(key, v);
      return v;
    } catch (e) {
      if (isNotFound(e)) {
        await cache.delete(key);
        return undefined;
      }
      const cached = await cache.get(key);
      this.log.warn({ resource, namespace: ns, name, err: (e as Error).message, cached: cached !== undefined }, 'API unreachable; using the copy on disk');
      return cached ?? undefined;
    }
  }
}
