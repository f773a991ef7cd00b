// The MVCC state machine of the cluster store: etcd v3 key-value semantics, pure and
// deterministic. See mvcc-store.ts for the rules.

export { INITIAL_REVISION, MvccStore, NEVER_COMPACTED } from './mvcc-store.js';
export type { Applied, MvccConfig, MvccStats } from './mvcc-store.js';
export { CompareResult, CompareTarget, EventType, SortOrder, SortTarget } from './types.js';
export type {
  Command,
  CommandResponse,
  Compare,
  CompactResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  Event,
  HashResult,
  HistoryResult,
  KeyValue,
  LeaseCheckpoint,
  LeaseGrantResponse,
  LeaseInfo,
  LeaseRevokeResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResponse,
  WriteResult,
} from './types.js';
export {
  CompactedError,
  DuplicateKeyError,
  EmptyKeyError,
  EtcdError,
  EtcdErrorCode,
  FutureRevisionError,
  GrpcCode,
  KeyNotFoundError,
  LeaseExistsError,
  LeaseNotFoundError,
  LeaseProvidedError,
  LeaseTtlTooLargeError,
  MvccBug,
  RequestTooLargeError,
  SnapshotCorruptError,
  TooManyOpsError,
  ValueProvidedError,
} from './errors.js';
export type { Result } from './errors.js';
export { MAX_LEASE_TTL } from './lease-table.js';
export { checkDeleteRange, checkPut, checkRange, checkTxn, DEFAULT_LIMITS, deleteRangeSize, putSize, rangeSize, txnSize } from './validate.js';
export type { MvccLimits } from './validate.js';
export { compareBytes, EMPTY_BYTES, inRange, prefixEnd } from './bytes.js';
export { crc32c } from './crc32c.js';
