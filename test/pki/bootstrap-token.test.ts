// Bootstrap tokens: Kubernetes' format, drawn from the injected random source without bias.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { BOOTSTRAP_TOKEN_PATTERN, formatBootstrapToken, generateBootstrapToken, parseBootstrapToken } from '../../control-plane/pki/index.js';

t.test('token - [a-z0-9]{6}.[a-z0-9]{16} from the random source', async (t) => {
  for (let i = 0; i < 200; i++) {
    const tok = formatBootstrapToken(generateBootstrapToken((n) => randomBytes(n)));
    if (!BOOTSTRAP_TOKEN_PATTERN.test(tok)) t.fail(`bad token ${tok}`);
  }
  t.pass('200 tokens match the pattern');
  // deterministic for a given source
  let counter = 0;
  const counting = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => counter++ % 256);
  const a = generateBootstrapToken(counting);
  counter = 0;
  t.same(generateBootstrapToken(counting), a, 'same bytes, same token');
  t.equal(a.id, 'abcdef');
  t.equal(formatBootstrapToken(a), `abcdef.${a.secret}`);
});

t.test('token - bytes that would bias the alphabet are skipped; a dead source fails', async (t) => {
  // 252..255 would map onto the first four characters more often: they are redrawn.
  let calls = 0;
  const skewed = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (calls++ === 0 || i % 2 === 0 ? 255 : 1));
  const tok = generateBootstrapToken(skewed);
  t.equal(tok.id, 'bbbbbb', 'only the usable bytes (1 -> "b") were used');
  t.throws(() => generateBootstrapToken((n) => new Uint8Array(n).fill(252)), { code: 'random-failed' });
});

t.test('token - parse', async (t) => {
  t.same(parseBootstrapToken('abcdef.0123456789abcdef'), { id: 'abcdef', secret: '0123456789abcdef' });
  for (const bad of ['abcdef0123456789abcdef', 'ABCDEF.0123456789abcdef', 'abcde.0123456789abcdef', 'abcdef.0123456789abcde', ' abcdef.0123456789abcdef']) {
    const e = (() => {
      try {
        parseBootstrapToken(bad);
        return undefined;
      } catch (err) {
        return err as Error & { code: string };
      }
    })();
    t.equal(e?.code, 'bad-token', JSON.stringify(bad));
    t.notMatch(e?.message ?? '', bad.trim(), 'the token is not echoed');
  }
});
