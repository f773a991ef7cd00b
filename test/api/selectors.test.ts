import t from 'tap';
import { kindFor, labelSelectorFromMap, labelSelectorFromObject, parseFieldSelector, parseLabelSelector } from '../../api/index.js';
import type { FieldSelector, LabelSelector, Parsed } from '../../api/index.js';

function ok<T>(p: Parsed<T>): T {
  if (!p.ok) throw p.error;
  return p.selector;
}

t.test('label selector - parse and match', async (t) => {
  const labels = { app: 'web', tier: 'front', env: 'prod' };
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['env in (prod,qa)', true],
    ['env in (qa)', false],
    ['env notin (qa, dev)', true],
    ['missing notin (a)', true],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['app=web,tier=front', true],
    [' app = web , env in ( prod ) , !canary ', true],
    ['app=web,tier=back', false],
    ['example.com/role=', false],
  ];
  for (const [text, want] of cases) t.equal(ok(parseLabelSelector(text)).matches(labels), want, text);
  t.ok(ok(parseLabelSelector('example.com/role=')).matches({ 'example.com/role': '' }), 'empty value');
  t.equal(ok(parseLabelSelector('env in (prod,qa),app!=db,!canary,tier')).toString(), 'env in (prod,qa),app!=db,!canary,tier');
  t.ok(ok(parseLabelSelector('')).isEmpty());
});

t.test('label selector - clear parse errors', async (t) => {
  const cases: [string, string][] = [
    ['app=web,', 'expected a requirement after ","'],
    ['app in prod', 'expected "(" after "in", found "prod" at position 7'],
    ['app in (a', 'expected "," or ")" in the values of "app", found end of input'],
    ['app in ()', "for 'in', 'notin' operators, values set can't be empty"],
    ['app=web web', 'expected "," or end of input, found "web" at position 8'],
    ['=web', 'expected a label key or "!", found "=" at position 0'],
    ['bad key!=x', 'expected "=", "==", "!=", "in" or "notin" after "bad", found "key" at position 4'],
    ['app=we b', 'expected "," or end of input, found "b" at position 7'],
    ['app=a/b', 'invalid label value "a/b"'],
    ['-app=x', 'invalid label key "-app"'],
    ['app>1', 'unsupported operator ">" at position 3'],
  ];
  for (const [text, why] of cases) {
    const p = parseLabelSelector(text);
    t.notOk(p.ok, text);
    if (!p.ok) {
      t.match(p.error.message, why, text);
      t.match(p.error.message, `unable to parse label selector ${JSON.stringify(text)}`);
      t.equal(p.error.code, 'InvalidLabelSelector');
    }
  }
});

t.test('label selector - from objects and maps, same semantics', async (t) => {
  const s: LabelSelector = labelSelectorFromObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'qa'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'tier', operator: 'Exists' },
      { key: 'zone', operator: 'NotIn', values: ['b'] },
    ],
  });
  t.equal(s.toString(), 'app=web,env in (prod,qa),!canary,tier,zone!=b');
  t.ok(s.matches({ app: 'web', env: 'qa', tier: 'x' }));
  t.notOk(s.matches({ app: 'web', env: 'qa', tier: 'x', canary: 'y' }));
  t.notOk(s.matches({ app: 'web', env: 'qa', tier: 'x', zone: 'b' }));
  t.ok(labelSelectorFromObject(undefined).matches({ any: 'thing' }), 'no selector matches everything');
  t.ok(labelSelectorFromMap({ app: 'web' }).matches({ app: 'web', x: 'y' }));
  t.notOk(labelSelectorFromMap({ app: 'web' }).matches(undefined));
});

t.test('field selector - parse, match, escapes', async (t) => {
  const fields = { 'metadata.name': 'web,1', 'status.phase': 'Running', 'spec.nodeName': '' };
  const cases: [string, boolean][] = [
    ['', true],
    ['status.phase=Running', true],
    ['status.phase==Running', true],
    ['status.phase!=Running', false],
    ['spec.nodeName=', true],
    ['spec.nodeName!=', false],
    ['metadata.name=web\\,1', true],
    ['status.phase=Running,metadata.name!=other', true],
    ['metadata.namespace=', true],
  ];
  for (const [text, want] of cases) t.equal(ok(parseFieldSelector(text)).matches(fields), want, text);
  const s: FieldSelector = ok(parseFieldSelector('spec.nodeName=edge-1,status.phase!=Failed'));
  t.equal(s.exactValue('spec.nodeName'), 'edge-1');
  t.equal(s.exactValue('status.phase'), undefined);
  t.equal(ok(parseFieldSelector('metadata.name=a\\,b')).toString(), 'metadata.name=a\\,b');
});

t.test('field selector - errors, and only the kind\'s field labels', async (t) => {
  const bad = parseFieldSelector('status.phase');
  t.notOk(bad.ok);
  if (!bad.ok) t.equal(bad.error.message, 'invalid field selector "status.phase": "status.phase" is not of the form field=value, field==value or field!=value');
  const unescaped = parseFieldSelector('metadata.name=a=b');
  t.notOk(unescaped.ok);
  const pods = kindFor('pods')!;
  t.ok(parseFieldSelector('spec.nodeName=edge-1,status.phase=Running', pods.fieldLabelNames).ok);
  const unknown = parseFieldSelector('spec.hostname=x', pods.fieldLabelNames);
  t.notOk(unknown.ok);
  if (!unknown.ok) {
    t.equal(unknown.error.code, 'UnsupportedFieldLabel');
    t.match(unknown.error.message, /^field label not supported: "spec.hostname" \(supported: "metadata.name", "metadata.namespace", "spec.nodeName"/);
  }
  t.notOk(parseFieldSelector('spec.nodeName=x', kindFor('cm')!.fieldLabelNames).ok, 'configmaps have no spec.nodeName');
  t.ok(parseFieldSelector('involvedObject.name=web,type=Warning,reason=BackOff', kindFor('events')!.fieldLabelNames).ok);
  t.ok(parseFieldSelector('type=kubernetes.io/tls', kindFor('secrets')!.fieldLabelNames).ok);
});
