// Errors to gRPC statuses: etcd's refusals keep their code and exact message; anything else
// is a bug in Shoal and becomes INTERNAL (logged with its stack, never shown to clients).
import * as grpc from '@grpc/grpc-js';
import { EtcdError } from '../mvcc/index.js';
import { StoreError } from '../store-error.js';
import { RemoteStatusError } from './leader-client.js';

export interface StatusLogger {
  error(obj: object, msg: string): void;
}

export function toStatus(e: unknown, logger: StatusLogger, what: string): Partial<grpc.StatusObject> {
  if (e instanceof StoreError || e instanceof EtcdError) {
    return { code: e.grpcCode as number as grpc.status, details: e.message, metadata: new grpc.Metadata() };
  }
  if (e instanceof RemoteStatusError) return { code: e.code, details: e.details, metadata: new grpc.Metadata() };
  logger.error({ err: e }, `${what}: internal error`);
  return { code: grpc.status.INTERNAL, details: `shoal: internal error in ${what}`, metadata: new grpc.Metadata() };
}

/** Wraps an async unary handler: its value is the response, a throw becomes the status. */
export function unary<Req, Res>(
  what: string,
  logger: StatusLogger,
  handler: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    handler(call.request, call).then(
      (res) => callback(null, res),
      (e: unknown) => callback(toStatus(e, logger, what) as grpc.ServiceError),
    );
  };
}
