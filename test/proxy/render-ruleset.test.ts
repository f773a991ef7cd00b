// Proxy rendering - services + endpoints + node facts → iptables-restore text, compared as golden text.
import t from 'tap';
import { Chain, ProxyConfigError, probability, renderRuleset, serviceChainName, endpointChainName, shoalChains } from '../../node-agent/index.js';
import { eps, node, ready, svc } from './fixtures.js';
import { matchGolden } from './golden.js';
import { lintRestore } from './restore-lint.js';
import { applyRestore, modelText } from './restore-model.js';
import type { Test } from 'tap';
import type { RenderInput, RenderedRuleset } from '../../node-agent/index.js';

/** Render and check the text's structure (declared chains and targets, COMMIT, -X after a flush). */
function render(t: Test, input: RenderInput): RenderedRuleset {
  const out = renderRuleset(input);
  t.same(lintRestore(out.text), [], 'restore text is well formed');
  return out;
}

t.test('render - ClusterIP service with 3 endpoints balances 1/3, 1/2, rest', async (t) => {
  const out = render(t, {
    services: [svc('web', { clusterIP: '10.96.0.10', ports: [{ port: 80, targetPort: 8080 }] })],
    endpoints: [eps('web', [ready(['10.244.1.5', '10.244.2.7', '10.244.1.6'], 8080)])],
    node,
  });
  matchGolden(t, 'cluster-ip-3-endpoints', out.text);
  t.match(out.text, /--probability 0\.33333333349 -j SHOAL-SEP-/);
  t.match(out.text, /--probability 0\.50000000000 -j SHOAL-SEP-/);
  t.equal(out.text.match(/--probability/g)?.length, 2, 'the last endpoint takes the rest without a statistic match');
});

t.test('render - a named targetPort DNATs to the port the Endpoints resolved', async (t) => {
  const out = render(t, {
    services: [svc('api', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'metrics', port: 9100, targetPort: 9100 }] })],
    endpoints: [eps('api', [{ addresses: [{ ip: '10.244.1.9' }], ports: [{ name: 'http', port: 8081 }, { name: 'metrics', port: 9100 }] }])],
    node,
  });
  matchGolden(t, 'named-target-port', out.text);
  t.match(out.text, /-j DNAT --to-destination 10\.244\.1\.9:8081/);
  t.match(out.text, /-j DNAT --to-destination 10\.244\.1\.9:9100/);
});

t.test('render - NodePort service: node port rules mark for masquerade, then the service chain', async (t) => {
  const out = render(t, {
    services: [svc('shop', { type: 'NodePort', clusterIP: '10.96.0.30', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] })],
    endpoints: [eps('shop', [ready(['10.244.1.5', '10.244.2.7'], 8080)])],
    node,
  });
  matchGolden(t, 'node-port', out.text);
  const lines = out.text.split('\n');
  const services = lines.filter((l) => l.startsWith(`-A ${Chain.Services} `));
  t.match(services.at(-1), /-d 192\.168\.77\.11 -j SHOAL-NODEPORTS$/, 'the node port jump is the last rule of SHOAL-SERVICES');
});

t.test('render - NodePort on every local address when no node IPs are given', async (t) => {
  const out = render(t, {
    services: [svc('shop', { type: 'NodePort', clusterIP: '10.96.0.30', ports: [{ port: 80, nodePort: 30080 }] })],
    endpoints: [],
    node: { nodeName: 'worker-1', nodeIPs: [] },
  });
  t.match(out.text, /-A SHOAL-EXTERNAL-SERVICES .*-m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j REJECT/);
  t.match(out.text, /-A SHOAL-SERVICES .*-m addrtype --dst-type LOCAL -j SHOAL-NODEPORTS/);
  t.notMatch(out.text, /MARK-MASQ.*! -s/, 'no cluster CIDR: no off-cluster masquerade rule');
});

t.test('render - a service without ready endpoints is rejected in the filter table and has no nat chain', async (t) => {
  const out = render(t, {
    services: [svc('down', { type: 'NodePort', clusterIP: '10.96.0.40', ports: [{ port: 80, nodePort: 30081 }] })],
    endpoints: [eps('down', [{ notReadyAddresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80 }] }])],
    node,
  });
  matchGolden(t, 'no-endpoints', out.text);
  t.match(out.text, /-A SHOAL-FIREWALL -m comment --comment "default\/down:80 has no endpoints" -m tcp -p tcp -d 10\.96\.0\.40 --dport 80 -j REJECT/);
  t.notMatch(out.text, /SHOAL-SVC-/);
});

t.test('render - sessionAffinity ClientIP uses the recent module with the timeout', async (t) => {
  const out = render(t, {
    services: [svc('sticky', { clusterIP: '10.96.0.50', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } }, ports: [{ port: 80 }] })],
    endpoints: [eps('sticky', [ready(['10.244.1.5', '10.244.2.7'], 80)])],
    node,
  });
  matchGolden(t, 'session-affinity', out.text);
  t.equal(out.text.match(/--rcheck --seconds 600 --reap/g)?.length, 2);
  t.equal(out.text.match(/-m recent --name SHOAL-SEP-\w+ --set -j DNAT/g)?.length, 2);
});

t.test('render - endpoints for another port name or protocol do not count: the port is rejected', async (t) => {
  const out = render(t, {
    services: [svc('dns', { clusterIP: '10.96.0.53', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53 }] })],
    endpoints: [eps('dns', [{ addresses: [{ ip: '10.244.1.3' }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'other', port: 53 }] }])],
    node,
  });
  t.match(out.text, /-m udp -p udp -j DNAT --to-destination 10\.244\.1\.3:53/);
  t.match(out.text, /"default\/dns:dns-tcp has no endpoints" -m tcp -p tcp -d 10\.96\.0\.53 --dport 53 -j REJECT/);
});

t.test('render - headless and ExternalName services get no rules', async (t) => {
  const out = render(t, {
    services: [
      svc('headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
      svc('ext', { type: 'ExternalName', externalName: 'db.example.org' }),
      svc('pending', { ports: [{ port: 80 }] }),
    ],
    endpoints: [eps('headless', [ready(['10.244.1.5'], 80)])],
    node,
  });
  matchGolden(t, 'headless', out.text);
  t.notMatch(out.text, /SHOAL-SVC-|REJECT/);
});

t.test('render - not-ready endpoints are excluded', async (t) => {
  const out = render(t, {
    services: [svc('web', { clusterIP: '10.96.0.10', ports: [{ port: 80 }] })],
    endpoints: [eps('web', [{ addresses: [{ ip: '10.244.1.5' }], notReadyAddresses: [{ ip: '10.244.2.7' }], ports: [{ port: 80 }] }])],
    node,
  });
  t.match(out.text, /--to-destination 10\.244\.1\.5:80/);
  t.notMatch(out.text, /10\.244\.2\.7/);
  t.notMatch(out.text, /statistic/, 'a single endpoint needs no statistic match');
});

t.test('render - output is independent of input order', async (t) => {
  const services = [
    svc('b', { clusterIP: '10.96.0.2', ports: [{ name: 'x', port: 81 }, { name: 'a', port: 80 }] }),
    svc('a', { clusterIP: '10.96.0.1', ports: [{ port: 80 }] }, 'other'),
    svc('a', { clusterIP: '10.96.0.3', ports: [{ port: 80 }] }),
  ];
  const endpoints = [
    eps('b', [{ addresses: [{ ip: '10.244.2.1' }, { ip: '10.244.10.1' }], ports: [{ name: 'x', port: 81 }, { name: 'a', port: 80 }] }, ready(['10.244.1.1'], 80, 'a')]),
    eps('a', [ready(['10.244.3.3', '10.244.3.2'], 80)], 'other'),
    eps('a', [ready(['10.244.4.4'], 80)]),
  ];
  const first = render(t, { services, endpoints, node }).text;
  const second = renderRuleset({ services: [...services].reverse(), endpoints: [...endpoints].reverse(), node }).text;
  t.equal(second, first);
  matchGolden(t, 'ordering', first);
  t.ok(first.indexOf('10.244.2.1:80') < first.indexOf('10.244.10.1:80'), 'endpoints in numeric address order');
});

t.test('render - stale Shoal chains are flushed and deleted, others are left alone', async (t) => {
  const web = svc('web', { clusterIP: '10.96.0.10', ports: [{ port: 80 }] });
  const live = serviceChainName('default/web:80', 'TCP');
  const staleSvc = serviceChainName('default/gone:80', 'TCP');
  const staleSep = endpointChainName('default/gone:80', 'TCP', '10.244.1.9:80');
  const save = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':KUBE-SERVICES - [0:0]',
    ':SHOAL-SERVICES - [0:0]',
    `:${live} - [0:0]`,
    `:${staleSvc} - [0:0]`,
    `:${staleSep} - [0:0]`,
    ':SHOAL-PROXY-CANARY - [0:0]',
    '-A PREROUTING -j SHOAL-SERVICES',
    'COMMIT',
    '*filter',
    ':SHOAL-FIREWALL - [0:0]',
    'COMMIT',
  ].join('\n');
  const out = render(t, { services: [web], endpoints: [eps('web', [ready(['10.244.1.5'], 80)])], node, existing: shoalChains(save) });
  matchGolden(t, 'stale-chain', out.text);
  t.same(out.deleted, { nat: [staleSvc, staleSep].sort(), filter: [] });
  t.match(out.text, new RegExp(`^:${staleSvc} - \\[0:0\\]$`, 'm'), 'declared (flushed) before deletion');
  t.match(out.text, new RegExp(`^-X ${staleSvc}$`, 'm'));
  t.notMatch(out.text, /CANARY|KUBE-/, 'the canary and foreign chains are not touched');
  t.ok(out.chains.nat.includes(live));
});

t.test('render - without a cluster CIDR the node pod CIDR tells local pods from the rest', async (t) => {
  const out = render(t, {
    services: [svc('web', { clusterIP: '10.96.0.10', ports: [{ port: 80 }] })],
    endpoints: [eps('web', [ready(['10.244.1.5'], 80)])],
    node: { nodeName: 'worker-1', nodeIPs: ['192.168.77.11'], podCIDR: '10.244.1.0/24' },
  });
  t.match(out.text, /--dport 80 ! -s 10\.244\.1\.0\/24 -j SHOAL-MARK-MASQ/);
});

t.test('render - masqueradeAll, mark bit and --random-fully', async (t) => {
  const out = render(t, {
    services: [svc('web', { clusterIP: '10.96.0.10', ports: [{ port: 53, protocol: 'UDP' }] })],
    endpoints: [eps('web', [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 53, protocol: 'UDP' }] }])],
    node: { ...node, masqueradeAll: true, masqueradeBit: 12, randomFully: true },
  });
  t.match(out.text, /-A SHOAL-SVC-\w+ -m comment --comment "default\/web:53 cluster IP" -m udp -p udp -d 10\.96\.0\.10 --dport 53 -j SHOAL-MARK-MASQ/);
  t.match(out.text, /-A SHOAL-MARK-MASQ -j MARK --or-mark 0x1000/);
  t.match(out.text, /-j MASQUERADE --random-fully/);
});

t.test('render - bad node facts are refused with the field named', async (t) => {
  const base = { services: [], endpoints: [] };
  t.throws(() => renderRuleset({ ...base, node: { ...node, clusterCIDR: '10.244.0.0' } }), new ProxyConfigError('node facts: clusterCIDR: "10.244.0.0" is not an IPv4 CIDR (e.g. 10.244.0.0/16)'));
  t.throws(() => renderRuleset({ ...base, node: { ...node, nodeIPs: ['node-a'] } }), /nodeIPs: "node-a"/);
  t.throws(() => renderRuleset({ ...base, node: { ...node, podCIDR: '10.244.1.0/33' } }), /podCIDR: "10.244.1.0\/33"/);
  t.throws(() => renderRuleset({ ...base, node: { ...node, nodeName: '' } }), /nodeName is empty/);
  t.throws(() => renderRuleset({ ...base, node: { ...node, masqueradeBit: 40 } }), /masqueradeBit: 40/);
});

t.test('probability - as iptables-save prints the stored value', async (t) => {
  t.same([2, 3, 4, 7].map(probability), ['0.50000000000', '0.33333333349', '0.25000000000', '0.14285714272']);
  t.throws(() => probability(0), RangeError);
});

t.test('chain names - 16 base32 characters of sha256, stable', async (t) => {
  const name = serviceChainName('default/web:80', 'TCP');
  t.match(name, /^SHOAL-SVC-[A-Z2-7]{16}$/);
  t.ok(name.length <= 28, 'fits iptables chain name limit');
  t.equal(serviceChainName('default/web:80', 'TCP'), name);
  t.not(serviceChainName('default/web:80', 'UDP'), name);
});

t.test('render - a partial sync rewrites only the changed services and ends where a full sync would', async (t) => {
  const services = [
    svc('a', { clusterIP: '10.96.0.1', ports: [{ port: 80 }] }),
    svc('b', { clusterIP: '10.96.0.2', ports: [{ port: 80 }] }),
    svc('c', { clusterIP: '10.96.0.3', ports: [{ port: 80 }] }),
  ];
  const before = [eps('a', [ready(['10.244.1.1'], 80)]), eps('b', [ready(['10.244.1.2', '10.244.2.2'], 80)]), eps('c', [ready(['10.244.1.3'], 80)])];
  const full = render(t, { services, endpoints: before, node });
  const host = applyRestore(new Map(), full.text);

  // b loses an endpoint; c is deleted.
  const after = [before[0]!, eps('b', [ready(['10.244.2.2'], 80)])];
  const partial = renderRuleset({ services: services.slice(0, 2), endpoints: after, node, existing: full.chains, onlyServices: new Set(['default/b', 'default/c']) });
  t.same(lintRestore(partial.text, full.chains.nat), [], 'partial text is well formed given the chains already there');
  matchGolden(t, 'partial-sync', partial.text);
  t.notMatch(partial.text, /default\/a:80 ->/, 'a\'s service chain is not rewritten');
  t.equal(partial.deleted.nat.length, 3, 'b\'s lost endpoint chain and c\'s service and endpoint chains are deleted');

  const expected = renderRuleset({ services: services.slice(0, 2), endpoints: after, node, existing: full.chains });
  t.equal(modelText(applyRestore(host, partial.text)), modelText(applyRestore(host, expected.text)), 'same host state as a full sync');
  t.same([...partial.chains.nat].sort(), [...expected.chains.nat].sort());
});
