// The Storage contract against the in-memory twin, plus its test hooks.
import t from 'tap';
import { MemoryStorage, StorageErrorCode } from '../../../control-plane/apiserver/storage/index.js';
import { storageContract } from './storage-contract.js';
import { WatchCollector } from './watch-collector.js';

const storage = new MemoryStorage();
t.teardown(() => storage.close());
storageContract(t, () => ({
  storage,
  compact: async (rev) => storage.compact(rev),
  putAll: async (entries) => storage.putAll(entries),
}));

t.test('memory storage - breakWatches ends watches with the given error; close ends the rest', async (t) => {
  const s = new MemoryStorage();
  const w = new WatchCollector(s, '/x/', 1);
  s.breakWatches(StorageErrorCode.Unavailable);
  t.equal((await w.waitError()).code, StorageErrorCode.Unavailable);
  const w2 = new WatchCollector(s, '/x/', 1);
  await s.close();
  t.equal((await w2.waitError()).code, StorageErrorCode.Closed);
  await t.rejects(s.get('/x/a'), { code: StorageErrorCode.Closed });
});
