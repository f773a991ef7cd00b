// gRPC clients for etcd's KV and Watch services that can read a real etcd's responses.
//
// Why not the generated KVClient/WatchClient as they are: ts-proto (forceLong=number) refuses
// any 64-bit value above 2^53, and etcd's response headers carry random 64-bit cluster and
// member IDs, so every response of a real etcd would fail to parse. This layer reads no ID, so
// these clients decode with a reader whose uint64() turns values beyond 2^53 into 0. Revisions
// (int64) decode exactly as generated: one beyond 2^53 still fails loudly.
import * as grpc from '@grpc/grpc-js';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import {
  CompactionResponse,
  DeleteRangeResponse,
  KVService,
  PutResponse,
  RangeResponse,
  TxnResponse,
  WatchResponse,
  WatchService,
} from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { KVClient, WatchClient } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

class IdTolerantReader extends BinaryReader {
  override uint64(): bigint | string {
    const v = super.uint64();
    return BigInt(v) > MAX ? 0n : v;
  }
}

interface Decoder<T> {
  decode(input: BinaryReader | Uint8Array, length?: number): T;
}

function tolerant<T>(d: Decoder<T>): (b: Buffer) => T {
  return (b) => d.decode(new IdTolerantReader(b));
}

const KVDefinition = {
  ...KVService,
  range: { ...KVService.range, responseDeserialize: tolerant(RangeResponse) },
  put: { ...KVService.put, responseDeserialize: tolerant(PutResponse) },
  deleteRange: { ...KVService.deleteRange, responseDeserialize: tolerant(DeleteRangeResponse) },
  txn: { ...KVService.txn, responseDeserialize: tolerant(TxnResponse) },
  compact: { ...KVService.compact, responseDeserialize: tolerant(CompactionResponse) },
} as const;

const WatchDefinition = {
  watch: { ...WatchService.watch, responseDeserialize: tolerant(WatchResponse) },
} as const;

type ClientConstructor<C> = new (address: string, credentials: grpc.ChannelCredentials, options?: Partial<grpc.ClientOptions>) => C;

export const TolerantKVClient = grpc.makeGenericClientConstructor(KVDefinition, 'etcdserverpb.KV') as unknown as ClientConstructor<KVClient>;
export const TolerantWatchClient = grpc.makeGenericClientConstructor(WatchDefinition, 'etcdserverpb.Watch') as unknown as ClientConstructor<WatchClient>;
