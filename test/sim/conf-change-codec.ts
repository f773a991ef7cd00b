// TEMPORARY: the core's encodeConfChange/decodeConfChange (raft/core/conf-change.ts) have not
// landed yet. Once they do, this file only re-exports them.

import type { ConfChange, ConfChangeType } from '../../raft/core/types.js';

export function encodeConfChange(cc: ConfChange): Uint8Array {
  const b = new Uint8Array(5 + cc.context.length);
  b[0] = cc.type;
  new DataView(b.buffer).setUint32(1, cc.node);
  b.set(cc.context, 5);
  return b;
}

export function decodeConfChange(b: Uint8Array): ConfChange {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { type: b[0] as ConfChangeType, node: v.getUint32(1), context: b.slice(5) };
}
