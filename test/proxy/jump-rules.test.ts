// Jump rules and cleanup - argv for iptables -C/-I/-D, and the restore text that removes every Shoal chain.
import t from 'tap';
import { Chain, JUMP_RULES, canaryArgv, jumpArgv, parseSave, renderCleanup, renderRuleset, shoalChains } from '../../node-agent/index.js';
import { eps, node, ready, svc } from './fixtures.js';
import { matchGolden } from './golden.js';
import { lintRestore } from './restore-lint.js';

t.test('jump rules - every entry chain of the ruleset is reached from a built-in chain', async (t) => {
  const targets = new Set(JUMP_RULES.map((r) => `${r.table}:${r.args.at(-1)}`));
  t.same([...targets].sort(), [`filter:${Chain.Firewall}`, `filter:${Chain.Forward}`, `nat:${Chain.Postrouting}`, `nat:${Chain.Services}`].sort());
  t.same(jumpArgv(JUMP_RULES[0]!, 'check'), ['-w', '-t', 'filter', '-C', 'INPUT', '-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'shoal service firewall', '-j', 'SHOAL-FIREWALL']);
  t.same(jumpArgv(JUMP_RULES[4]!, 'insert').slice(0, 6), ['-w', '-t', 'nat', '-I', 'PREROUTING', '1']);
  t.same(jumpArgv(JUMP_RULES[6]!, 'delete').slice(0, 5), ['-w', '-t', 'nat', '-D', 'POSTROUTING']);
  t.same(canaryArgv('nat', 'create'), ['-w', '-t', 'nat', '-N', 'SHOAL-PROXY-CANARY']);
});

t.test('cleanup - deletes the jumps, then flushes and deletes every Shoal chain found', async (t) => {
  const rendered = renderRuleset({
    services: [svc('web', { clusterIP: '10.96.0.10', ports: [{ port: 80 }] }), svc('down', { clusterIP: '10.96.0.11', ports: [{ port: 80 }] })],
    endpoints: [eps('web', [ready(['10.244.1.5'], 80)])],
    node,
  });
  // What iptables-save would list after that restore, plus the canary and someone else's chain.
  const save = rendered.text.replace('*nat\n', '*nat\n:SHOAL-PROXY-CANARY - [0:0]\n:DOCKER - [0:0]\n');
  const cleanup = renderCleanup(shoalChains(save));
  t.equal(cleanup.deleteJumps.length, JUMP_RULES.length);
  t.ok(cleanup.deleteJumps.every((argv) => argv.includes('-D')));
  matchGolden(t, 'cleanup', cleanup.restore);
  t.same(lintRestore(cleanup.restore), [], 'cleanup text is well formed');
  const left = parseSave(cleanup.restore);
  t.same(left.ruleCount, cleanup.restore.split('\n').filter((l) => l.startsWith('-X ')).length, 'only -X lines, no rules');
  t.notMatch(cleanup.restore, /DOCKER/);
  t.match(cleanup.restore, /^-X SHOAL-PROXY-CANARY$/m);
});
