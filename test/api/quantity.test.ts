import t from 'tap';
import { compareQuantities, mustParseQuantity, parseQuantity, QuantityError, toMillis, toUnits } from '../../api/index.js';

t.test('quantity - parses Kubernetes quantity syntax exactly', async (t) => {
  const cases: [string, number, number][] = [
    // text, millis, units (rounded up)
    ['100m', 100, 1],
    ['0.1', 100, 1],
    ['1.5', 1500, 2],
    ['2', 2000, 2],
    ['.5', 500, 1],
    ['1000m', 1000, 1],
    ['1u', 1, 1],
    ['512Mi', 512 * 2 ** 20 * 1000, 512 * 2 ** 20],
    ['1Gi', 2 ** 30 * 1000, 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30 * 1000, 1.5 * 2 ** 30],
    ['1G', 1e12, 1e9],
    ['128k', 128000000, 128000],
    ['2Ki', 2048000, 2048],
    ['1e3', 1000000, 1000],
    ['1E', 1e21, 1e18],
    ['5e-3', 5, 1],
    ['1Ti', 2 ** 40 * 1000, 2 ** 40],
    ['0', 0, 0],
    ['+1', 1000, 1],
  ];
  for (const [text, millis, units] of cases) {
    const q = parseQuantity(text);
    t.ok(q, text);
    if (q) t.same([toMillis(q), toUnits(q)], [millis, units], text);
  }
});

t.test('quantity - rejects what Kubernetes rejects', async (t) => {
  for (const text of ['', 'abc', '1.5.3', '1KiB', '1 Gi', ' 1', '1e', 'Mi', '--1', '1mi', '1.5x', '.']) t.equal(parseQuantity(text), undefined, JSON.stringify(text));
  t.throws(() => mustParseQuantity('lots'), QuantityError);
  t.equal(mustParseQuantity(2).num, 2n, 'numbers are read as their text');
});

t.test('quantity - compares exactly across suffixes', async (t) => {
  const cmp = (a: string, b: string) => compareQuantities(mustParseQuantity(a), mustParseQuantity(b));
  t.equal(cmp('1', '1000m'), 0);
  t.equal(cmp('1Gi', '1G'), 1);
  t.equal(cmp('0.5Gi', '512Mi'), 0);
  t.equal(cmp('100m', '0.1'), 0);
  t.equal(cmp('99m', '0.1'), -1);
});
