// grpc-js servers keep HTTP/2's default 64 KiB receive windows and offer no option to raise
// them. With those, a peer can have at most 64 KiB in flight per round trip: about 1.3 MB/s at
// 50 ms RTT, and a snapshot or a burst of MsgApp crawls. This raises the windows of every
// incoming session, reaching into the server's private `http2Servers` (grpc-js 1.14). If an
// upgrade removes that field, it returns false and the transport carries on with the defaults.
import type * as http2 from 'node:http2';
import type * as grpc from '@grpc/grpc-js';

export function raiseReceiveWindows(server: grpc.Server, streamWindow: number, connectionWindow: number): boolean {
  const servers: unknown = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) return false;
  for (const s of servers.keys() as IterableIterator<http2.Http2Server>) {
    if (typeof s?.on !== 'function') return false;
    s.on('session', (session: http2.ServerHttp2Session) => {
      try {
        session.settings({ initialWindowSize: streamWindow });
        session.setLocalWindowSize(connectionWindow);
      } catch {
        // The session closed before it was set up; nothing to raise.
      }
    });
  }
  return true;
}
