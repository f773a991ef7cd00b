// Objects cross the wire as UTF-8 JSON (api.proto); a reply that is not a JSON object is the
// server's fault and says so.
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { KubeObject } from '../api/kind.js';
import { ApiError, ApiErrorReason } from './errors.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function encodeObject(o: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(o));
}

export function decodeObject<T extends KubeObject>(bytes: Uint8Array, what: string, server?: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch (e) {
    throw new ApiError(GrpcStatus.INTERNAL, ApiErrorReason.InvalidResponse, `${what}: the server sent invalid JSON: ${(e as Error).message}`, { cause: e, ...(server === undefined ? {} : { server }) });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || typeof (parsed as { metadata?: unknown }).metadata !== 'object') {
    throw new ApiError(GrpcStatus.INTERNAL, ApiErrorReason.InvalidResponse, `${what}: the server sent something that is not an object with metadata`, server === undefined ? {} : { server });
  }
  return parsed as T;
}

/** "namespace/name", or "name" for cluster-scoped objects: the key of caches and diffs. */
export function objectKey(o: { readonly metadata: { readonly namespace?: string | undefined; readonly name?: string | undefined } }): string {
  const ns = o.metadata.namespace ?? '';
  const name = o.metadata.name ?? '';
  return ns === '' ? name : `${ns}/${name}`;
}
