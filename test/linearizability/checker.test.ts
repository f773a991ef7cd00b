import t from 'tap';
import type { Test } from 'tap';
import { checkHistory, describeOperation, describeResult } from './index.js';
import type { CheckResult, Operation } from './index.js';
import { HistoryBuilder } from './history-builder.js';
import { bruteForceLinearizable } from './brute-force.js';
import { seededRng, simulateLinearizableHistory } from './register-simulation.js';

const accepts = (t: Test, ops: Operation[], msg?: string): CheckResult => {
  const r = checkHistory(ops);
  t.equal(r.verdict, 'linearizable', msg ?? 'accepted', { diagnostic: r.verdict !== 'linearizable', detail: describeResult(r) });
  return r;
};
const rejects = (t: Test, ops: Operation[], msg?: string): CheckResult => {
  const r = checkHistory(ops);
  t.equal(r.verdict, 'violation', msg ?? 'rejected');
  return r;
};

// ---- known-good histories ----

t.test('checker - accepts a sequential history', async (t) => {
  const h = new HistoryBuilder()
    .read(1, 'x', null, 0, 10)
    .write(1, 'x', 'a', 20, 30)
    .read(2, 'x', 'a', 40, 50)
    .cas(2, 'x', 'a', 'b', 60, 70, true)
    .cas(1, 'x', 'a', 'c', 80, 90, false)
    .del(1, 'x', 100, 110, true)
    .del(2, 'x', 120, 130, false)
    .read(1, 'x', null, 140, 150);
  accepts(t, h.ops);
});

t.test('checker - accepts overlapping operations in an order other than their invocation order', async (t) => {
  const h = new HistoryBuilder()
    .write(1, 'x', 'a', 0, 100)
    .write(2, 'x', 'b', 10, 90)
    .read(3, 'x', 'a', 95, 120) // b then a
    .read(3, 'x', 'a', 130, 140);
  accepts(t, h.ops);
  const h2 = new HistoryBuilder()
    .write(1, 'x', 'a', 0, 10)
    .cas(2, 'x', 'a', 'b', 20, 100, true)
    .read(3, 'x', 'a', 30, 40) // before the cas
    .read(3, 'x', 'b', 50, 60); // after it
  accepts(t, h2.ops);
});

t.test('checker - accepts an indeterminate write that took effect, even after its client gave up', async (t) => {
  const h = new HistoryBuilder()
    .write(1, 'x', 'a', 0, 10)
    .write(2, 'x', 'b', 20, 30, 'info') // gave up at 30
    .read(3, 'x', 'a', 40, 50)
    .read(3, 'x', 'b', 60, 70); // applied at ~55
  accepts(t, h.ops);
  accepts(t, new HistoryBuilder().write(2, 'x', 'b', 20, null, 'info').read(1, 'x', 'b', 60, 70).ops, 'never completed at all');
});

t.test('checker - accepts an indeterminate write that never took effect', async (t) => {
  const h = new HistoryBuilder()
    .write(1, 'x', 'a', 0, 10)
    .write(2, 'x', 'b', 20, 30, 'info')
    .read(3, 'x', 'a', 40, 50)
    .read(3, 'x', 'a', 1000, 1010);
  accepts(t, h.ops);
});

t.test('checker - indeterminate cas and delete may or may not have happened', async (t) => {
  const h = new HistoryBuilder()
    .write(1, 'x', 'a', 0, 10)
    .cas(2, 'x', 'a', 'b', 20, 30, 'info')
    .del(3, 'x', 40, 50, 'info')
    .read(1, 'x', 'b', 60, 70) // cas happened, delete not yet
    .read(1, 'x', null, 80, 90); // delete happened
  accepts(t, h.ops);
  // An indeterminate cas whose expected value never matched cannot have changed anything.
  const bad = new HistoryBuilder().write(1, 'x', 'a', 0, 10).cas(2, 'x', 'zz', 'b', 20, 30, 'info').read(1, 'x', 'b', 40, 50);
  rejects(t, bad.ops, 'an indeterminate cas with a wrong expected value cannot be observed');
});

t.test('checker - failed operations are dropped, and their values cannot be observed', async (t) => {
  const h = new HistoryBuilder().write(1, 'x', 'a', 0, 10).write(2, 'x', 'b', 20, 30, 'fail').read(1, 'x', 'a', 40, 50);
  accepts(t, h.ops);
  const bad = new HistoryBuilder().write(1, 'x', 'a', 0, 10).write(2, 'x', 'b', 20, 30, 'fail').read(1, 'x', 'b', 40, 50);
  rejects(t, bad.ops, 'a failed write was seen');
});

t.test('checker - keys are independent', async (t) => {
  const h = new HistoryBuilder()
    .write(1, 'x', 'a', 0, 10)
    .write(1, 'y', 'b', 20, 30)
    .read(2, 'x', 'a', 40, 50)
    .read(2, 'y', 'b', 40, 50);
  const r = accepts(t, h.ops);
  t.same(
    r.keys.map((k) => k.key),
    ['x', 'y'],
  );
  const bad = new HistoryBuilder().write(1, 'x', 'a', 0, 10).write(1, 'y', 'b', 20, 30).read(2, 'x', 'a', 40, 50).read(2, 'y', 'a', 40, 50);
  const rb = rejects(t, bad.ops);
  t.equal(rb.verdict === 'violation' && rb.key, 'y', 'the violating key is named');
});

// ---- known-bad histories ----

t.test('checker - rejects a stale read after a completed write, and explains it', async (t) => {
  const h = new HistoryBuilder().write(1, 'x', 'a', 0, 10).write(1, 'x', 'b', 20, 30).read(2, 'x', 'a', 40, 50);
  const r = rejects(t, h.ops);
  if (r.verdict !== 'violation') return;
  t.equal(r.key, 'x');
  t.same(
    r.explanation.linearized.map((o) => o.id),
    [0, 1],
    'partial linearization: both writes',
  );
  t.equal(r.explanation.valueAfter, 'b');
  t.equal(r.explanation.blocking.id, 2, 'the stale read is the operation that cannot be placed');
  t.match(r.explanation.unplaceable[0]?.reason, /read saw "a" but the register held "b"/);
  t.match(describeResult(r), /not linearizable[\s\S]*#2 c2 read\("x"\) = "a"/);
});

t.test('checker - rejects a read of a value never written', async (t) => {
  rejects(t, new HistoryBuilder().write(1, 'x', 'a', 0, 10).read(2, 'x', 'zzz', 5, 50).ops);
  rejects(t, new HistoryBuilder().read(2, 'x', 'zzz', 5, 50).ops, 'from the initial state');
});

t.test('checker - rejects two compare-and-swaps succeeding from the same expected value', async (t) => {
  const h = new HistoryBuilder().write(1, 'x', 'a', 0, 10).cas(2, 'x', 'a', 'b', 20, 40, true).cas(3, 'x', 'a', 'c', 25, 35, true);
  rejects(t, h.ops);
});

t.test('checker - rejects a lost acknowledged write', async (t) => {
  rejects(t, new HistoryBuilder().write(1, 'x', 'a', 0, 10).read(2, 'x', null, 20, 30).ops, 'the key is absent afterwards');
  const h = new HistoryBuilder()
    .write(1, 'x', 'a', 0, 10)
    .write(2, 'x', 'b', 20, 30)
    .write(3, 'x', 'c', 25, 40, 'info')
    .read(1, 'x', 'a', 50, 60); // b was acknowledged; c may or may not have happened; a is gone
  rejects(t, h.ops, 'an older value comes back');
  const d = new HistoryBuilder().write(1, 'x', 'a', 0, 10).del(2, 'x', 20, 30, false);
  rejects(t, d.ops, 'a delete finds nothing after an acknowledged write');
});

t.test('checker - rejects a read going back in time between two non-overlapping reads', async (t) => {
  const h = new HistoryBuilder()
    .write(1, 'x', 'a', 0, 5)
    .write(1, 'x', 'b', 8, 100) // concurrent with both reads
    .read(2, 'x', 'b', 10, 20)
    .read(3, 'x', 'a', 30, 40);
  rejects(t, h.ops);
  const ok = new HistoryBuilder().write(1, 'x', 'a', 0, 5).write(1, 'x', 'b', 8, 100).read(2, 'x', 'a', 10, 20).read(3, 'x', 'b', 30, 40);
  accepts(t, ok.ops, 'forwards in time is fine');
});

t.test('checker - a search over budget answers unknown, never ok', async (t) => {
  const ops = simulateLinearizableHistory({ clients: 5, keys: 1, opsPerClient: 40, indeterminateRate: 0.1, rng: seededRng(7) });
  const r = checkHistory(ops, { maxStepsPerKey: 10 });
  t.equal(r.verdict, 'unknown');
  t.equal(r.ok, false);
  t.throws(() => checkHistory(ops, { maxStepsPerKey: 0 }), /positive/);
});

// ---- randomized ----

t.test('checker - randomized: histories of a linearizable register are accepted; one impossible read is rejected', async (t) => {
  let accepted = 0;
  let rejected = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const rng = seededRng(seed);
    const ops = simulateLinearizableHistory({
      clients: 2 + (seed % 5),
      keys: 1 + (seed % 3),
      opsPerClient: 10 + (seed % 30),
      indeterminateRate: (seed % 4) * 0.05,
      rng,
    });
    const r = checkHistory(ops);
    if (r.verdict !== 'linearizable') {
      t.fail(`seed ${seed}: ${describeResult(r)}`);
      return;
    }
    accepted++;
    const reads = ops.filter((o) => o.input.kind === 'read' && o.completion.type === 'ok');
    const victim = reads[Math.floor(rng() * reads.length)];
    if (victim === undefined) continue;
    const mutated = ops.map((o) =>
      o === victim && o.completion.type === 'ok' ? { ...o, completion: { ...o.completion, output: { kind: 'read' as const, value: 'never-written' } } } : o,
    );
    const m = checkHistory(mutated);
    if (m.verdict !== 'violation') {
      t.fail(`seed ${seed}: mutated read #${victim.id} not rejected: ${m.verdict}`);
      return;
    }
    t.equal(m.explanation.blocking.key, victim.key);
    rejected++;
  }
  t.equal(accepted, 300);
  t.ok(rejected > 250, `${rejected} mutations rejected`);
});

t.test('checker - randomized: a large concurrent history is checked within budget', async (t) => {
  const ops = simulateLinearizableHistory({ clients: 10, keys: 4, opsPerClient: 2000, indeterminateRate: 0.02, rng: seededRng(42) });
  const start = process.hrtime.bigint();
  const r = checkHistory(ops);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  t.equal(r.verdict, 'linearizable', describeResult(r));
  t.comment(`${ops.length} operations in ${ms.toFixed(0)} ms (${Math.round(ops.length / (ms / 1000))} ops/s); steps ${r.keys.map((k) => k.steps).join(', ')}`);
});

t.test('checker - randomized: agrees with brute force on tiny arbitrary histories', async (t) => {
  let yes = 0;
  let no = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const rng = seededRng(seed * 7919);
    const values = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const pool: (string | null)[] = [null, 'a', 'b', 'c', 'zz'];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
    const b = new HistoryBuilder();
    const n = 2 + Math.floor(rng() * 6);
    for (let i = 0; i < n; i++) {
      const call = Math.floor(rng() * 100) * 2;
      const ret = call + 1 + Math.floor(rng() * 60) * 2; // odd: never equal to a call
      const info = rng() < 0.25;
      const value = values[i] as string;
      switch (pick(['read', 'write', 'cas', 'delete'] as const)) {
        case 'read':
          b.read(i, 'x', pick(pool), call, ret);
          break;
        case 'write':
          b.write(i, 'x', value, call, ret, info ? 'info' : 'ok');
          break;
        case 'cas':
          b.cas(i, 'x', pick(pool), value, call, ret, info ? 'info' : rng() < 0.5);
          break;
        case 'delete':
          b.del(i, 'x', call, ret, info ? 'info' : rng() < 0.5);
          break;
      }
    }
    const ops = b.ops.slice().sort((x, y) => (x.invokedAt < y.invokedAt ? -1 : x.invokedAt > y.invokedAt ? 1 : 0));
    const expected = bruteForceLinearizable(ops);
    const got = checkHistory(ops).verdict;
    if (got !== (expected ? 'linearizable' : 'violation')) {
      t.fail(`seed ${seed}: brute force says ${expected}, checker says ${got}\n${ops.map((o) => describeOperation(o)).join('\n')}`);
      return;
    }
    if (expected) yes++;
    else no++;
  }
  t.ok(yes > 300 && no > 300, `${yes} linearizable, ${no} not`);
});
