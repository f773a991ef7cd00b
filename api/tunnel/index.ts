// The node tunnel's wire rules shared by the API server and the agent (proto/shoal/api/v1/tunnel.proto):
// per-stream byte credit, frame sizes, close codes, and writing frames with gRPC backpressure.
export { Channel, CloseCode, MAX_DATA_FRAME_BYTES, STREAM_WINDOW_BYTES, StreamEnd, TunnelProtocolError, closeFrame } from './stream-end.js';
export type { FrameSink, MuxFrame } from './stream-end.js';
export { FrameWriter } from './frame-writer.js';
export type { WritableCall } from './frame-writer.js';
