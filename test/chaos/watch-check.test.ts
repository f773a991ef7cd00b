import t from 'tap';
import { checkWatch, prefixEnd } from './index.js';
import type { AcknowledgedChange, WatchedEvent } from './index.js';

const put = (revision: number, key: string, value: string): WatchedEvent => ({ revision, type: 'put', key, value });
const del = (revision: number, key: string): WatchedEvent => ({ revision, type: 'delete', key, value: null });
const ack = (e: WatchedEvent, opId = 0): AcknowledgedChange => ({ revision: e.revision, key: e.key, value: e.value, opId });

const history = [put(2, '/k0', 'a'), put(3, '/k1', 'b'), del(4, '/k0'), put(5, '/k0', 'c')];
const base = { reference: history, acknowledged: history.map((e) => ack(e)), notApplied: [], fromRevision: 2, toRevision: 5, anomalies: [] };

t.test('watch check - the whole history once, in order, passes', async (t) => {
  const r = checkWatch({ ...base, observed: history });
  t.ok(r.ok, r.problems.join('\n'));
  t.equal(r.observedEvents, 4);
  t.ok(checkWatch({ ...base, observed: history, acknowledged: [ack(history[1] as WatchedEvent)] }).ok, 'indeterminate writes need not be acknowledged');
});

t.test('watch check - a gap, a duplicate, a reordering or a missing acknowledged change fails', async (t) => {
  const [a, b, c, d] = history as [WatchedEvent, WatchedEvent, WatchedEvent, WatchedEvent];
  const gap = checkWatch({ ...base, observed: [a, b, d] });
  t.notOk(gap.ok);
  t.match(gap.problems.join('\n'), /diverges at event 2[\s\S]*acknowledged delete \/k0@4 \(op #0\) seen 0 times/);
  const dup = checkWatch({ ...base, observed: [a, b, b, c, d] });
  t.match(dup.problems.join('\n'), /revision 3 delivered 2 times/);
  const swapped = checkWatch({ ...base, observed: [a, c, b, d] });
  t.match(swapped.problems.join('\n'), /put \/k1=b@3 after delete \/k0@4/);
  const wrongValue = checkWatch({ ...base, observed: history, acknowledged: [{ revision: 5, key: '/k0', value: 'zzz', opId: 9 }] });
  t.match(wrongValue.problems.join('\n'), /acknowledged put \/k0=zzz@5 \(op #9\) seen 0 times; at that revision: put \/k0=c@5/);
  const lostFromStore = checkWatch({ ...base, observed: [a, b, d], reference: [a, b, d] });
  t.match(lostFromStore.problems.join('\n'), /reference: expected revision 4, got put \/k0=c@5/);
  const refusedButApplied = checkWatch({ ...base, observed: history, notApplied: [{ key: '/k1', value: 'b', opId: 7 }] });
  t.match(refusedButApplied.problems, ['op #7 was recorded as not applied, but its value is in the store: put /k1=b@3']);
  const anomalies = checkWatch({ ...base, observed: history, anomalies: ['event /k0@3 after revision 4'] });
  t.match(anomalies.problems, ['watcher: event /k0@3 after revision 4']);
});

t.test('watch check - events outside [from, to] are ignored', async (t) => {
  t.ok(checkWatch({ ...base, observed: [put(1, '/x', 'old'), ...history, put(6, '/k1', 'later')] }).ok);
});

t.test('watch check - problems are capped', async (t) => {
  const many = Array.from({ length: 50 }, (_, i) => ({ revision: 100 + i, key: '/z', value: 'v', opId: i }));
  const r = checkWatch({ ...base, observed: history, acknowledged: many }, 5);
  t.equal(r.problems.length, 6);
  t.match(r.problems[5], /and 45 more/);
});

t.test('prefix end - the next key after every key with the prefix', async (t) => {
  t.same(prefixEnd('/chaos/'), Buffer.from('/chaos0'));
  t.same(prefixEnd('\u00ff'), Buffer.from([0xc3, 0xc0]), 'bytes of the UTF-8 encoding');
  t.same(prefixEnd(''), Buffer.from([0]), 'empty prefix: every key');
});
