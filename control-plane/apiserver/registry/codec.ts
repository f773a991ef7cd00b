// Objects in and out: request bodies are UTF-8 JSON of one object; the store holds the same JSON
// without metadata.resourceVersion (that is the key's modRevision, filled in on every read).
import type { KindDefinition, KubeObject } from '../../../api/kind.js';
import { badRequest } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses JSON bytes into a plain object, or INVALID_ARGUMENT naming the problem. */
export function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  if (bytes.length === 0) throw badRequest(`${what} is empty: expected a JSON object`);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw badRequest(`${what} is not valid UTF-8 JSON`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw badRequest(`${what} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(v)) throw badRequest(`${what} must be a JSON object, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`);
  return v;
}

/**
 * A request body as an object of `kind`: kind and apiVersion must match the resource (filled in
 * when absent), metadata must be an object.
 */
export function decodeBody(bytes: Uint8Array, kind: KindDefinition): KubeObject {
  const o = parseJson(bytes, 'the request body');
  if (o.kind === undefined) o.kind = kind.kind;
  if (o.apiVersion === undefined) o.apiVersion = kind.apiVersion;
  if (o.kind !== kind.kind) throw badRequest(`the object's kind ${JSON.stringify(o.kind)} does not match the resource "${kind.resource}" (kind ${kind.kind})`);
  if (o.apiVersion !== kind.apiVersion) throw badRequest(`the object's apiVersion ${JSON.stringify(o.apiVersion)} does not match the resource "${kind.resource}" (apiVersion ${kind.apiVersion})`);
  if (o.metadata === undefined) o.metadata = {};
  if (!isObject(o.metadata)) throw badRequest('metadata must be a JSON object');
  return o as KubeObject;
}

const encoder = new TextEncoder();

/** The stored bytes: the object without resourceVersion. */
export function encodeStored(object: KubeObject): Uint8Array {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return encoder.encode(JSON.stringify({ ...object, metadata }));
}

/** A stored value back as an object whose resourceVersion is its modRevision. */
export function decodeStored(value: Uint8Array, modRevision: number): KubeObject {
  const o = JSON.parse(Buffer.from(value).toString('utf8')) as KubeObject;
  o.metadata = { ...o.metadata, resourceVersion: String(modRevision) };
  return o;
}

export function encodeObject(object: KubeObject): Uint8Array {
  return encoder.encode(JSON.stringify(object));
}

export const deepEqual = (a: unknown, b: unknown): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** Key order does not matter for equality. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = canonical(v[k]);
    return out;
  }
  return v;
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}
