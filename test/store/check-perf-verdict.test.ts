// The reading of `etcdctl check perf` output (test/store/helpers/check-perf-verdict.ts) and the
// sanitizer that makes other programs' text safe for t.comment() (test/support/tap-safe.ts).
import t from 'tap';
import { checkPerfPassed, parseCheckPerf } from './helpers/check-perf-verdict.js';
import { tapSafe } from '../support/tap-safe.js';

// The shape of a real run on this machine: the progress bar redraws with \r and the first
// verdict line is glued to its last drawing.
const PASSED =
  '\r 0 / 60    0.00%\r 1 / 60    1.67% 00m59s\r 59 / 60   98.33% 00m01s\r 59 / 60   98.33%' +
  'PASS: Throughput is 150 writes/s\nPASS: Slowest request took 0.185543s\nPASS: Stddev is 0.011659s\nPASS\n';

// etcdctl 3.4.23 prints "Slowest request took too long" and "Stddev too high" without "FAIL:".
const FAILED =
  '\r 59 / 60   98.33%\r 60 / 60 Booooo! 100.00% 1m0s\n' +
  'FAIL: Throughput too low: 120 writes/s\nSlowest request took too long: 1.204000s\nStddev too high: 0.150000s\nFAIL\n';

const ERRORS =
  'FAIL: too many errors\nFAIL: ERROR(context deadline exceeded) -> 3\nPASS: Throughput is 149 writes/s\n' +
  'PASS: Slowest request took 0.2s\nPASS: Stddev is 0.01s\nFAIL\n';

t.test('check perf verdict - a pass glued to the progress bar', async (t) => {
  const v = parseCheckPerf(PASSED);
  t.same(v.throughput, { pass: true, value: 150 });
  t.same(v.slowest, { pass: true, value: 0.185543 });
  t.same(v.stddev, { pass: true, value: 0.011659 });
  t.equal(v.overall, 'PASS');
  t.same(v.errors, []);
  t.same(v.lines, ['PASS: Throughput is 150 writes/s', 'PASS: Slowest request took 0.185543s', 'PASS: Stddev is 0.011659s', 'PASS']);
  t.ok(checkPerfPassed(v));
});

t.test('check perf verdict - failures, including the lines without "FAIL:"', async (t) => {
  const v = parseCheckPerf(FAILED);
  t.same(v.lines, ['FAIL: Throughput too low: 120 writes/s', 'Slowest request took too long: 1.204000s', 'Stddev too high: 0.150000s', 'FAIL']);
  t.same(v.throughput, { pass: false, value: 120 });
  t.same(v.slowest, { pass: false, value: 1.204 });
  t.same(v.stddev, { pass: false, value: 0.15 });
  t.equal(v.overall, 'FAIL');
  t.notOk(checkPerfPassed(v));
});

t.test('check perf verdict - request errors fail the run', async (t) => {
  const v = parseCheckPerf(ERRORS);
  t.same(v.errors, ['FAIL: too many errors', 'FAIL: ERROR(context deadline exceeded) -> 3']);
  t.equal(v.overall, 'FAIL');
  t.notOk(checkPerfPassed(v));
});

t.test('check perf verdict - no verdict at all (etcdctl killed or refused) is not a pass', async (t) => {
  const v = parseCheckPerf('\r 10 / 60   16.67% 00m50s');
  t.equal(v.throughput, undefined);
  t.equal(v.overall, undefined);
  t.same(v.lines, []);
  t.notOk(checkPerfPassed(v));
});

t.test('tap-safe - carriage returns, escapes and control characters become plain lines', async (t) => {
  t.equal(tapSafe('a\rb\r\nc\n\n\u001b[2K\u001b[32mgreen\u001b[0m\u0007\u0000d\te'), 'a\nb\nc\ngreend\te');
  t.equal(tapSafe('Subtest: x\n  Subtest: y'), 'Subtest - x\n  Subtest - y');
  t.equal(tapSafe('---\n...\n1..0\nnot ok 1'), '---\n...\n1..0\nnot ok 1', 'TAP-looking lines stay: a comment prefixes each with "# "');
});

// The failure this guards against: a bare \r in a comment stalls tap's parser, and the
// subtest then reports no assertions at all and passes. Printed through tapSafe, the subtest's
// assertions after the comment are all counted.
t.test('tap-safe - a subtest that prints etcdctl output keeps its assertions', async (t) => {
  const results = await t.test('prints progress-bar output, then asserts twice', async (st) => {
    st.comment(tapSafe(PASSED));
    st.pass('first assertion after the comment');
    st.pass('second assertion after the comment');
  });
  t.equal(results?.count, 2, 'both assertions were parsed');
  t.equal(results?.pass, 2);
});
