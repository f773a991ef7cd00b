// The tunnel's per-stream flow rules (api/tunnel) - a sender waits for credit and splits frames,
// a receiver returns credit in batches once bytes are consumed, an overrun is a protocol error,
// and closing wakes a waiting sender.
import t from 'tap';
import { Channel, MAX_DATA_FRAME_BYTES, STREAM_WINDOW_BYTES, StreamEnd, TunnelProtocolError } from '../../api/tunnel/index.js';
import type { MuxFrame } from '../../api/tunnel/index.js';

const sink = (frames: MuxFrame[]) => async (f: MuxFrame): Promise<void> => void frames.push(f);
const dataBytes = (frames: MuxFrame[]): number => frames.reduce((n, f) => n + (f.data?.data.length ?? 0), 0);

t.test('stream end - send splits into frames and stops at the window until credit comes', async (t) => {
  const frames: MuxFrame[] = [];
  const end = new StreamEnd(3, sink(frames));
  const big = new Uint8Array(STREAM_WINDOW_BYTES + 10_000);
  let done = false;
  const sending = end.send(Channel.stdout, big).then((ok) => {
    done = true;
    return ok;
  });
  await new Promise((r) => setImmediate(r));
  t.equal(dataBytes(frames), STREAM_WINDOW_BYTES, 'exactly one window sent');
  t.ok(frames.every((f) => (f.data?.data.length ?? 0) <= MAX_DATA_FRAME_BYTES && f.streamId === 3), 'frames within the size limit');
  t.notOk(done, 'the sender waits for credit');
  end.granted(10_000);
  t.equal(await sending, true);
  t.equal(dataBytes(frames), big.length, 'the rest after credit');
});

t.test('stream end - close wakes a waiting sender, which reports false', async (t) => {
  const frames: MuxFrame[] = [];
  const end = new StreamEnd(1, sink(frames));
  const sending = end.send(Channel.input, new Uint8Array(STREAM_WINDOW_BYTES + 1));
  await new Promise((r) => setImmediate(r));
  end.ended();
  t.equal(await sending, false);
  t.equal(await end.send(Channel.input, new Uint8Array(1)), false, 'nothing is sent after close');
});

t.test('stream end - receiver grants in batches and refuses an overrun', async (t) => {
  const frames: MuxFrame[] = [];
  const end = new StreamEnd(5, sink(frames));
  const chunk = { channel: Channel.stdout, data: new Uint8Array(8 * 1024), eof: false };
  for (let i = 0; i < 8; i++) end.received(chunk);
  end.consumed(8 * 1024);
  end.consumed(8 * 1024);
  await new Promise((r) => setImmediate(r));
  t.same(frames, [], 'no grant for 16 KiB while more is outstanding');
  end.consumed(8 * 1024);
  end.consumed(8 * 1024);
  await new Promise((r) => setImmediate(r));
  t.same(frames.map((f) => f.window?.bytes), [32 * 1024], 'one grant for the 32 KiB batch');
  for (let i = 0; i < 4; i++) end.consumed(8 * 1024);
  await new Promise((r) => setImmediate(r));
  t.same(frames.map((f) => f.window?.bytes), [32 * 1024, 32 * 1024], 'all consumed: granted');
  const flood = new StreamEnd(7, sink([]));
  t.throws(() => {
    for (let i = 0; i <= STREAM_WINDOW_BYTES / chunk.data.length; i++) flood.received(chunk);
  }, TunnelProtocolError);
});
