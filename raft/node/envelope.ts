// Every entry a RaftNode proposes starts with an 8-byte proposal id: 4 bytes naming this
// incarnation of the node (random per process start, so ids never repeat across restarts)
// and a 4-byte counter. The id lets the proposer recognise its entry when it is persisted
// and applied; the state machine never sees it.

export const ENVELOPE_BYTES = 8;

export function wrap(incarnation: number, counter: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(ENVELOPE_BYTES + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, incarnation);
  view.setUint32(4, counter);
  out.set(payload, ENVELOPE_BYTES);
  return out;
}

/** The counter of an entry proposed by `incarnation`, or undefined for anyone else's. */
export function counterOf(incarnation: number, data: Uint8Array): number | undefined {
  if (data.byteLength < ENVELOPE_BYTES) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, ENVELOPE_BYTES);
  if (view.getUint32(0) !== incarnation) return undefined;
  return view.getUint32(4);
}

/** The application's payload; entries without an envelope (the leader's empty entry) are empty. */
export function payloadOf(data: Uint8Array): Uint8Array {
  return data.byteLength < ENVELOPE_BYTES ? data.subarray(data.byteLength) : data.subarray(ENVELOPE_BYTES);
}
