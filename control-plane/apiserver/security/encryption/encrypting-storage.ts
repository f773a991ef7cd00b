// Encryption at rest as a decorator of the API server's Storage seam: values under the configured
// prefixes (/registry/secrets/ for "secrets") are encrypted on the way in and decrypted on the way
// out, with the storage key as authenticated data; everything else passes through. The registry
// above never sees ciphertext, and `etcdctl get /registry/secrets/...` never sees plaintext.
//
// A value that cannot be decrypted (its key was removed from the config, or it was altered) fails
// the read with StorageError 'Rejected' whose message names the key and the cause. In a watch it
// ends the watch through onError (the watcher relists and gets the same clear error).
import type { ListOptions, ListResult, Storage, StoredValue, StorageWatch, StorageWatchEvent, StorageWatchHandlers } from '../../storage/storage.js';
import { StorageError, StorageErrorCode } from '../../storage/storage.js';
import type { RandomBytes, ValueTransformer } from './aes-gcm-transformer.js';
import { cryptoRandomBytes } from './aes-gcm-transformer.js';
import type { EncryptionConfig } from './encryption-config.js';
import { transformerFor } from './encryption-config.js';
import { EncryptionError } from './encryption-error.js';

export interface EncryptedPrefix {
  readonly prefix: string;
  readonly transformer: ValueTransformer;
}

export const REGISTRY_ROOT = '/registry/';

/** One prefix per resource the config lists: /registry/<resource>/. */
export function encryptedPrefixes(config: EncryptionConfig, random: RandomBytes = cryptoRandomBytes, root = REGISTRY_ROOT): EncryptedPrefix[] {
  return config.resources.flatMap((r) => r.resources.map((resource) => ({ prefix: `${root}${resource}/`, transformer: transformerFor(config, resource, random)! })));
}

function rejected(e: unknown): unknown {
  return e instanceof EncryptionError ? new StorageError(StorageErrorCode.Rejected, e.message, 0, { cause: e }) : e;
}

export class EncryptingStorage implements Storage {
  constructor(
    private readonly inner: Storage,
    private readonly prefixes: readonly EncryptedPrefix[],
  ) {}

  private transformer(key: string): ValueTransformer | undefined {
    return this.prefixes.find((p) => key.startsWith(p.prefix))?.transformer;
  }

  private encode(key: string, value: Uint8Array): Uint8Array {
    return this.transformer(key)?.toStorage(value, key) ?? value;
  }

  private decodeValue(key: string, value: Uint8Array): Uint8Array {
    const t = this.transformer(key);
    if (t === undefined || value.length === 0) return value;
    try {
      return t.fromStorage(value, key).value;
    } catch (e) {
      throw rejected(e);
    }
  }

  private decode(v: StoredValue): StoredValue {
    return { ...v, value: this.decodeValue(v.key, v.value) };
  }

  async get(key: string): Promise<StoredValue | undefined> {
    const v = await this.inner.get(key);
    return v === undefined ? undefined : this.decode(v);
  }

  async list(prefix: string, options?: ListOptions): Promise<ListResult> {
    const r = await this.inner.list(prefix, options);
    return { ...r, items: r.items.map((v) => this.decode(v)) };
  }

  async create(key: string, value: Uint8Array): Promise<StoredValue> {
    const v = await this.inner.create(key, this.encode(key, value));
    return { ...v, value };
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<StoredValue> {
    const v = await this.inner.update(key, this.encode(key, value), expectedModRevision);
    return { ...v, value };
  }

  async delete(key: string, expectedModRevision: number): Promise<{ readonly prev: StoredValue; readonly revision: number }> {
    const r = await this.inner.delete(key, expectedModRevision);
    return { ...r, prev: this.decode(r.prev) };
  }

  watch(prefix: string, fromRevision: number, handlers: StorageWatchHandlers): StorageWatch {
    let ended = false;
    const decodeEvent = (e: StorageWatchEvent): StorageWatchEvent => ({
      ...e,
      value: this.decodeValue(e.key, e.value),
      prevValue: e.prevValue === undefined ? undefined : this.decodeValue(e.key, e.prevValue),
    });
    const inner: StorageWatch = this.inner.watch(prefix, fromRevision, {
      onEvents: (events, revision) => {
        if (ended) return;
        let decoded: StorageWatchEvent[];
        try {
          decoded = events.map(decodeEvent);
        } catch (e) {
          ended = true;
          inner.close();
          handlers.onError(rejected(e) as StorageError);
          return;
        }
        handlers.onEvents(decoded, revision);
      },
      ...(handlers.onProgress === undefined ? {} : { onProgress: (rev: number) => (ended ? undefined : handlers.onProgress?.(rev)) }),
      onError: (err) => {
        if (ended) return;
        ended = true;
        handlers.onError(err);
      },
    });
    return {
      requestProgress: () => inner.requestProgress(),
      close: () => {
        ended = true;
        inner.close();
      },
    };
  }

  currentRevision(): Promise<number> {
    return this.inner.currentRevision();
  }

  compactedRevision(): Promise<number> {
    return this.inner.compactedRevision();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
