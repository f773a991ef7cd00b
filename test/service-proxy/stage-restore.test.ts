// Staged restores (nft, big full syncs) end in the same host state as the one-shot text, and
// every stage only jumps to chains that exist by then.
import t from 'tap';
import { parseProxyFlags, renderRuleset, stageRestore, UsageError } from '../../node-agent/index.js';
import { eps, node, ready, svc } from '../proxy/fixtures.js';
import { lintRestore } from '../proxy/restore-lint.js';
import { applyRestore, modelText } from '../proxy/restore-model.js';

t.test('stage restore - staged texts reach the state of the single text', async (t) => {
  const services = Array.from({ length: 30 }, (_, i) => svc(`s${i}`, { clusterIP: `10.96.0.${i + 1}`, ports: [{ port: 80 }] }));
  const endpoints = services.slice(0, 25).map((_, i) => eps(`s${i}`, [ready([`10.244.1.${i + 1}`, `10.244.2.${i + 1}`], 80)]));
  const old = renderRuleset({ services: [...services, svc('gone', { clusterIP: '10.96.1.1', ports: [{ port: 80 }] })], endpoints: [...endpoints, eps('gone', [ready(['10.244.9.9'], 80)])], node });
  const host = applyRestore(new Map(), old.text);
  const rendered = renderRuleset({ services, endpoints, node, existing: old.chains });
  const stages = stageRestore(rendered.text, 10);
  t.ok(stages.length > 3, `${stages.length} stages`);
  let staged = host;
  const known = new Set(old.chains.nat);
  for (const [i, text] of stages.entries()) {
    t.same(lintRestore(text, [...known]), [], `stage ${i} is well formed given the chains already there`);
    staged = applyRestore(staged, text);
    for (const c of staged.get('nat')?.keys() ?? []) known.add(c);
  }
  t.equal(modelText(staged), modelText(applyRestore(host, rendered.text)), 'same host state');
  t.same(stageRestore(rendered.text, 1000), [rendered.text], 'small rulesets go in one restore');
});

t.test('proxy flags - defaults, durations and refusals', async (t) => {
  t.same(parseProxyFlags({}, UsageError), { mode: 'iptables', clusterCIDR: undefined, syncPeriodMs: 30_000, minSyncPeriodMs: 100, canaryPeriodMs: 5_000 });
  const o = parseProxyFlags({ 'proxy-mode': 'none', 'cluster-cidr': '10.244.0.0/16', 'proxy-sync-period': '1m', 'proxy-min-sync-period': '250ms', 'proxy-canary-period': '2' }, UsageError);
  t.same(o, { mode: 'none', clusterCIDR: '10.244.0.0/16', syncPeriodMs: 60_000, minSyncPeriodMs: 250, canaryPeriodMs: 2_000 });
  t.throws(() => parseProxyFlags({ 'proxy-mode': 'ipvs' }, UsageError), /--proxy-mode: expected one of iptables, none, got "ipvs"/);
  t.throws(() => parseProxyFlags({ 'cluster-cidr': '10.244.0.0' }, UsageError), /--cluster-cidr: expected an IPv4 CIDR/);
  t.throws(() => parseProxyFlags({ 'proxy-sync-period': 'soon' }, UsageError), /--proxy-sync-period: expected a duration/);
  t.throws(() => parseProxyFlags({ 'proxy-min-sync-period': '1m', 'proxy-sync-period': '30s' }, UsageError), /must not exceed/);
});

t.test('render - a chain name memo changes nothing in the output', async (t) => {
  const services = Array.from({ length: 5 }, (_, i) => svc(`s${i}`, { clusterIP: `10.96.0.${i + 1}`, ports: [{ port: 80 }] }));
  const endpoints = services.map((_, i) => eps(`s${i}`, [ready([`10.244.1.${i + 1}`], 80)]));
  const names = new Map<string, string>();
  const plain = renderRuleset({ services, endpoints, node }).text;
  t.equal(renderRuleset({ services, endpoints, node, chainNames: names }).text, plain);
  t.equal(names.size, 10, 'one entry per service port and endpoint');
  t.equal(renderRuleset({ services, endpoints, node, chainNames: names }).text, plain, 'same with a warm memo');
});
