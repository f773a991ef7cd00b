import t from 'tap';
import { EntryType } from '../../raft/core/types.js';
import { KvOp, KvStateMachine, decodeCommand, encodeCommand } from '../../raft/demo/kv-state-machine.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const entry = (index: number, data: Uint8Array) => ({ index, term: 1, type: EntryType.Normal, data });

t.test('kv state machine - puts and deletes apply in order', async (t) => {
  const sm = new KvStateMachine();
  sm.apply([
    entry(1, encodeCommand({ op: KvOp.Put, key: 'a', value: enc.encode('1') })),
    entry(2, encodeCommand({ op: KvOp.Put, key: 'b', value: enc.encode('2') })),
    entry(3, encodeCommand({ op: KvOp.Put, key: 'a', value: enc.encode('3') })),
    entry(4, encodeCommand({ op: KvOp.Delete, key: 'b' })),
  ]);
  t.equal(dec.decode(sm.get('a')), '3');
  t.equal(sm.get('b'), undefined);
  t.equal(sm.lastApplied, 4);
});

t.test('kv state machine - a malformed command is skipped, not thrown', async (t) => {
  const sm = new KvStateMachine();
  sm.apply([entry(1, new Uint8Array([1, 0, 0, 0, 99])), entry(2, new Uint8Array([7, 0, 0, 0, 0]))]);
  t.equal(sm.skipped, 2);
  t.equal(sm.size, 0);
  t.equal(decodeCommand(new Uint8Array([1, 0, 0, 0, 1, 0xff])), undefined, 'invalid utf-8 key');
});

t.test('kv state machine - a snapshot restores the same map', async (t) => {
  const a = new KvStateMachine();
  const cmds = ['x', 'ключ', '', 'z'].map((k, i) => entry(i + 1, encodeCommand({ op: KvOp.Put, key: k, value: new Uint8Array([i, 255, 0]) })));
  a.apply(cmds);
  const b = new KvStateMachine();
  b.apply([entry(1, encodeCommand({ op: KvOp.Put, key: 'stale', value: enc.encode('s') }))]);
  b.restore(a.snapshot());
  t.same([...b.entries()], [...a.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  t.equal(b.get('stale'), undefined);
  b.restore(new Uint8Array(0));
  t.equal(b.size, 0, 'an empty snapshot is an empty map');
});
