// The storage seam with each store request's latency recorded (metric
// shoal_apiserver_store_request_duration_seconds{operation, outcome}).
import type { Histogram } from 'prom-client';
import type { Storage } from './storage/storage.js';

export function timedStorage(s: Storage, h: Histogram<'operation' | 'outcome'>): Storage {
  const time = async <T>(operation: string, f: () => Promise<T>): Promise<T> => {
    const end = h.startTimer({ operation });
    try {
      const r = await f();
      end({ outcome: 'ok' });
      return r;
    } catch (e) {
      end({ outcome: (e as { code?: unknown }).code === undefined ? 'error' : String((e as { code: unknown }).code) });
      throw e;
    }
  };
  return {
    get: (key) => time('get', () => s.get(key)),
    list: (prefix, options) => time('list', () => s.list(prefix, options)),
    create: (key, value) => time('create', () => s.create(key, value)),
    update: (key, value, rev) => time('update', () => s.update(key, value, rev)),
    delete: (key, rev) => time('delete', () => s.delete(key, rev)),
    watch: (prefix, from, handlers) => s.watch(prefix, from, handlers),
    currentRevision: () => time('currentRevision', () => s.currentRevision()),
    compactedRevision: () => time('compactedRevision', () => s.compactedRevision()),
    close: () => s.close(),
  };
}
