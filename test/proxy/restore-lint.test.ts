// Restore lint - the structural check used on every rendered ruleset finds what it claims to.
import t from 'tap';
import { lintRestore } from './restore-lint.js';

t.test('restore lint - a well-formed text passes', async (t) => {
  t.same(lintRestore('*nat\n:SHOAL-A - [0:0]\n:SHOAL-B - [0:0]\n-A SHOAL-A -m comment --comment "a b" -j SHOAL-B\n-A PREROUTING -j SHOAL-A\n-X SHOAL-B\nCOMMIT\n').length, 1, 'B deleted while A jumps to it');
  t.same(lintRestore('*nat\n:SHOAL-A - [0:0]\n-A SHOAL-A -j DNAT --to-destination 10.0.0.1:80\nCOMMIT\n'), []);
});

t.test('restore lint - each kind of mistake is named', async (t) => {
  const cases: [string, RegExp][] = [
    ['*nat\n-A SHOAL-X -j ACCEPT\nCOMMIT\n', /rule in undeclared chain SHOAL-X/],
    ['*nat\n:SHOAL-A - [0:0]\n-A SHOAL-A -j SHOAL-GONE\nCOMMIT\n', /jump to undeclared chain SHOAL-GONE/],
    ['*nat\n-X SHOAL-A\nCOMMIT\n', /not declared \(flushed\) first/],
    ['*nat\n:SHOAL-A - [0:0]\n', /not committed/],
    ['*nat\n:SHOAL-A - [0:0]\n-A SHOAL-A -m comment --comment "x -j ACCEPT\nCOMMIT\n', /unbalanced quotes/],
    [':SHOAL-A - [0:0]\n', /outside a table/],
    ['*nat\n:SHOAL-SVC-ABCDEFGHIJKLMNOPQRS - [0:0]\nCOMMIT\n', /longer than 28/],
    ['*nat\nCOMMIT', /newline/],
  ];
  for (const [text, problem] of cases) t.match(lintRestore(text).join('\n'), problem, problem.source);
});
