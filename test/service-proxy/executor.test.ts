// The iptables executor against real iptables in a namespace of the test's own, both back ends:
// restore with --noflush, save, -C exit codes, and errors that name the failing line.
import t from 'tap';
import { CommandIptables, IptablesError, probeBackend } from '../../node-agent/index.js';
import { makeNetns, requireRoot } from './helpers/netns.js';

for (const backend of ['legacy', 'nft'] as const)
  t.test(`iptables executor - ${backend}: restore, save, run and a refused line`, async (t) => {
    if (!requireRoot(t)) return;
    const ns = await makeNetns(t);
    const ex = new CommandIptables({ backend, prefix: ns.prefix });
    await ex.restore('*nat\n:SHOAL-A - [0:0]\n-A SHOAL-A -m comment --comment "a b" -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:80\nCOMMIT\n');
    const save = await ex.save(['nat']);
    t.match(save, /^:SHOAL-A - \[0:0\]$/m);
    t.match(save, /--comment "a b".*DNAT --to-destination 10\.0\.0\.1:80/);
    t.equal((await ex.run(['-w', '-t', 'nat', '-C', 'SHOAL-A', '-j', 'RETURN'])).code, 1, '-C of a missing rule exits 1');
    const bad = '*nat\n:SHOAL-B - [0:0]\n-A SHOAL-B -p tcp --no-such-option -j ACCEPT\nCOMMIT\n';
    const err = await ex.restore(bad).then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof IptablesError, 'a refused restore throws IptablesError');
    t.equal((err as IptablesError).code, 'IPTABLES_RESTORE_FAILED');
    t.equal((err as IptablesError).details.line, 3);
    t.match((err as IptablesError).message, /at line 3: -A SHOAL-B -p tcp --no-such-option -j ACCEPT/);
    t.notMatch(await ex.save(['nat']), /SHOAL-B/, 'nothing of the refused text was applied');
  });

t.test('iptables executor - missing binaries are IPTABLES_MISSING; the probe finds a back end', async (t) => {
  if (!requireRoot(t)) return;
  const ns = await makeNetns(t);
  const ex = new CommandIptables({ backend: 'nft', prefix: [...ns.prefix, 'env', 'PATH=/nonexistent'] });
  await t.rejects(ex.save(), { code: 'IPTABLES_MISSING' });
  const probed = await probeBackend({ prefix: ns.prefix });
  t.same(probed.available, ['legacy', 'nft']);
  t.match(probed.reason, /no rules in either back end/, 'an empty namespace falls back to the system default');
  // Shoal chains in the legacy tables decide, as detectBackend says.
  await new CommandIptables({ backend: 'legacy', prefix: ns.prefix }).restore('*nat\n:SHOAL-SERVICES - [0:0]\nCOMMIT\n');
  t.equal((await probeBackend({ prefix: ns.prefix })).backend, 'legacy');
});
