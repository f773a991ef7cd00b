// The re-encryption step of key rotation (and of turning encryption on): read every value under
// a prefix from the raw store, and rewrite, through the encrypting storage, each one whose
// prefix says it was not written with the current key. Writes are compare-and-swap on the
// revision that was read: a value changed meanwhile was rewritten by its writer with the
// current key, so a conflict is skipped, not retried. Pages of `pageSize` keys keep memory flat.
import type { Storage } from '../../storage/storage.js';
import { StorageError, StorageErrorCode } from '../../storage/storage.js';
import type { StaleValue } from './keys.js';
import { staleValues } from './keys.js';

export interface RewriteReport {
  readonly scanned: number;
  readonly rewritten: number;
  /** Changed or deleted by someone else between read and rewrite (so already current or gone). */
  readonly skipped: number;
  /** Values that could not be read (e.g. their key is gone); their errors name the key. */
  readonly failed: readonly { readonly key: string; readonly error: string }[];
}

/**
 * @param raw the store without encryption (sees stored bytes)
 * @param encrypting the same store through EncryptingStorage
 * @param writeKey the current key's name (undefined: identity writes)
 */
export async function rewriteStale(raw: Storage, encrypting: Storage, prefix: string, writeKey: string | undefined, pageSize = 500): Promise<RewriteReport> {
  let scanned = 0;
  let rewritten = 0;
  let skipped = 0;
  const failed: { key: string; error: string }[] = [];
  let startKey: string | undefined;
  let revision = 0;
  // Bounded: each page advances startKey past its last key, and the range is finite.
  for (let page = 0; page < 1_000_000; page++) {
    const r = await raw.list(prefix, { limit: pageSize, ...(startKey === undefined ? {} : { startKey }), ...(revision === 0 ? {} : { revision }) });
    revision = r.revision;
    scanned += r.items.length;
    const stale: StaleValue[] = staleValues(r.items, writeKey);
    const modRevisions = new Map(r.items.map((i) => [i.key, i.modRevision]));
    for (const s of stale) {
      try {
        const current = await encrypting.get(s.key);
        if (current === undefined || current.modRevision !== modRevisions.get(s.key)) {
          skipped++;
          continue;
        }
        await encrypting.update(s.key, current.value, current.modRevision);
        rewritten++;
      } catch (e) {
        if (e instanceof StorageError && (e.code === StorageErrorCode.Conflict || e.code === StorageErrorCode.NotFound)) skipped++;
        else failed.push({ key: s.key, error: (e as Error).message });
      }
    }
    const last = r.items.at(-1);
    if (!r.more || last === undefined) break;
    startKey = `${last.key}\0`;
  }
  return { scanned, rewritten, skipped, failed };
}
