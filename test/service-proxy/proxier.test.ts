// The proxier on real iptables in a namespace of the test's own, on both back ends, against an
// in-process API server: full sync at start, partial syncs on endpoint changes, REJECT without
// endpoints, canary repair after a hand flush or a deleted jump rule, rules kept on stop, and
// cleanup leaving nothing of Shoal on either back end.
import t from 'tap';
import { Chain, JUMP_RULES, cleanupServiceProxy, endpointChainName, serviceChainName } from '../../node-agent/index.js';
import { requireRoot, until } from './helpers/netns.js';
import { proxyRig } from './helpers/proxy-rig.js';

const webChain = serviceChainName('default/web:80', 'TCP');
const sep = (ip: string): string => endpointChainName('default/web:80', 'TCP', `${ip}:8080`);

for (const backend of ['legacy', 'nft'] as const)
  t.test(`proxier - ${backend}: sync, partial sync, reject, canary repair, stop, cleanup`, async (t) => {
    if (!requireRoot(t)) return;
    const rig = await proxyRig(t, backend);
    await rig.service('web', { clusterIP: '10.96.0.10', ports: [{ port: 80, targetPort: 8080 }] });
    await rig.endpoints('web', [{ addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.7' }], ports: [{ port: 8080 }] }]);
    await rig.service('down', { clusterIP: '10.96.0.11', ports: [{ port: 80 }] });
    rig.proxier.start();

    // Full sync: chains, jumps and canaries.
    await until(t, 'the first full sync with both endpoints', async () => rig.proxier.hasSynced && (await rig.save()).includes(sep('10.244.2.7')));
    let save = await rig.save();
    for (const c of [Chain.Services, Chain.NodePorts, Chain.Postrouting, Chain.MarkMasq, Chain.Firewall, Chain.Forward, webChain, sep('10.244.1.5')]) t.match(save, new RegExp(`^:${c} `, 'm'), `${c} exists`);
    t.match(save, /-A SHOAL-SERVICES .*-d 10\.96\.0\.10\/32 .*--dport 80 -j SHOAL-SVC-/);
    t.match(save, /-A SHOAL-FIREWALL -d 10\.96\.0\.11\/32 .*default\/down:80 has no endpoints.*-j REJECT/, 'a service without endpoints is rejected');
    for (const r of JUMP_RULES) t.match(save, new RegExp(`^-A ${r.chain} .*-j ${r.args.at(-1)}$`, 'm'), `jump ${r.table}/${r.chain} -> ${r.args.at(-1)}`);
    t.equal(save.match(/^:SHOAL-PROXY-CANARY /gm)?.length, 3, 'canary in mangle, nat and filter');
    t.equal(rig.reports[0]?.mode, 'full');

    // One endpoint replaced: a partial sync; the old endpoint's chain is gone.
    const before = rig.reports.length;
    await rig.endpoints('web', [{ addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.3.9' }], ports: [{ port: 8080 }] }]);
    await until(t, 'the endpoint change applied', async () => {
      const s = await rig.save();
      return s.includes(sep('10.244.3.9')) && !s.includes(sep('10.244.2.7'));
    });
    t.ok(rig.reports.slice(before).some((r) => r.mode === 'partial' && r.services === 1), 'applied by a partial sync of one service');
    t.notMatch(await rig.save(), /10\.244\.2\.7/, 'no rule mentions the removed endpoint');

    // The last endpoints go: REJECT, and the service's nat chains are deleted.
    await rig.endpoints('web', []);
    await until(t, 'web rejected', async () => /default\/web:80 has no endpoints/.test(await rig.save()));
    save = await rig.save();
    t.notMatch(save, new RegExp(webChain), 'the service chain is deleted');
    t.notMatch(save, /SHOAL-SEP-/, 'no endpoint chain is left');
    await rig.endpoints('web', [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 8080 }] }]);
    await until(t, 'web back', async () => (await rig.save()).includes(sep('10.244.1.5')));

    // Someone flushes nat by hand: the canary notices and a full sync repairs everything.
    await rig.iptablesCmd('-t', 'nat', '-F');
    t.notMatch(await rig.save(), /-A SHOAL-SERVICES/, 'flushed');
    await until(t, 'nat repaired after a flush', async () => {
      const s = await rig.save();
      return /-A PREROUTING .*-j SHOAL-SERVICES/.test(s) && /-A SHOAL-SERVICES .*-d 10\.96\.0\.10\/32/.test(s) && s.includes(sep('10.244.1.5'));
    });
    // Someone deletes a jump rule: repaired too.
    const jump = JUMP_RULES.find((r) => r.table === 'filter' && r.args.at(-1) === Chain.Firewall && r.chain === 'OUTPUT')!;
    await rig.iptablesCmd('-t', jump.table, '-D', jump.chain, ...jump.args);
    await until(t, 'the deleted jump rule is back', async () => /-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "shoal service firewall" -j SHOAL-FIREWALL/.test(await rig.save()));
    const metrics = await rig.metrics.metrics();
    t.match(metrics, /shoal_proxy_canary_repairs_total [1-9]/, 'repairs are counted');
    t.match(metrics, /shoal_proxy_sync_duration_seconds_count\{mode="partial"\} [1-9]/);
    t.match(metrics, /shoal_proxy_rules\{table="nat"\} [1-9]/);

    // stop() leaves the rules; cleanup removes everything of Shoal from both back ends, twice.
    await rig.proxier.stop();
    t.match(await rig.save(), /-A SHOAL-SERVICES/, 'rules stay after stop');
    const cleaned = await cleanupServiceProxy({ prefix: rig.ns.prefix });
    t.ok(cleaned.find((r) => r.backend === backend)!.chains > 5, 'chains removed');
    for (const b of ['legacy', 'nft'])
      t.notMatch((await rig.ns.exec([`iptables-${b}-save`])).stdout, /SHOAL/, `no Shoal chain or rule left in ${b}`);
    t.same((await cleanupServiceProxy({ prefix: rig.ns.prefix })).map((r) => r.chains), [0, 0], 'a second cleanup finds nothing');
  });
