// A ContractFixture for EtcdStorage: compaction and multi-key txns through a raw etcd v3 client.
import * as grpc from '@grpc/grpc-js';
import { TolerantKVClient } from '../../../control-plane/apiserver/storage/etcd-clients.js';
import type { EtcdStorage } from '../../../control-plane/apiserver/storage/index.js';
import type { ContractFixture } from './storage-contract.js';

export function etcdFixture(storage: EtcdStorage, endpoints: readonly string[]): ContractFixture & { close(): void } {
  const address = new URL(endpoints[0]!).host;
  const kv = new TolerantKVClient(address, grpc.credentials.createInsecure());
  const deadline = (): number => Date.now() + 15_000;
  return {
    storage,
    compact: (rev) =>
      new Promise((resolve, reject) => {
        kv.compact({ revision: rev, physical: true }, new grpc.Metadata(), { deadline: deadline() }, (e) => (e !== null ? reject(e) : resolve()));
      }),
    putAll: (entries) =>
      new Promise((resolve, reject) => {
        const success = entries.map(([k, v]) => ({ requestPut: { key: Buffer.from(k), value: v, lease: 0, prevKv: false, ignoreValue: false, ignoreLease: false } }));
        kv.txn({ compare: [], success, failure: [] }, new grpc.Metadata(), { deadline: deadline() }, (e, r) => (e !== null ? reject(e) : resolve(r.header!.revision)));
      }),
    close: () => kv.close(),
  };
}
