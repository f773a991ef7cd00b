// Back-end detection - legacy vs nft from the two save outputs, after kube-proxy's iptables-wrapper.
import t from 'tap';
import { detectBackend } from '../../node-agent/index.js';
import type { BackendInput, IptablesBackend } from '../../node-agent/index.js';

/** An iptables-save dump with the given chains declared and `rules` rule lines in the filter table. */
function save(rules: number, chains: string[] = []): string {
  return ['*filter', ':INPUT ACCEPT [0:0]', ...chains.map((c) => `:${c} - [0:0]`), ...Array.from({ length: rules }, (_, i) => `-A INPUT -p tcp --dport ${1000 + i} -j ACCEPT`), 'COMMIT', ''].join('\n');
}

const EMPTY = save(0);

const cases: { name: string; input: BackendInput; backend: IptablesBackend; reason: RegExp }[] = [
  { name: 'Shoal chains in nft win over many legacy rules', input: { legacySave: save(40), nftSave: save(0, ['SHOAL-SERVICES']) }, backend: 'nft', reason: /SHOAL-SERVICES chain found in the nft tables/ },
  { name: 'Shoal chains in legacy win over more nft rules', input: { legacySave: save(0, ['SHOAL-FIREWALL']), nftSave: save(30) }, backend: 'legacy', reason: /SHOAL-FIREWALL chain found in the legacy tables/ },
  { name: "kubelet's canary marks the back end in use", input: { legacySave: save(3), nftSave: save(0, ['KUBE-KUBELET-CANARY']) }, backend: 'nft', reason: /KUBE-KUBELET-CANARY/ },
  { name: 'the iptables hint chain marks the back end in use', input: { legacySave: save(0, ['KUBE-IPTABLES-HINT']), nftSave: save(5) }, backend: 'legacy', reason: /KUBE-IPTABLES-HINT/ },
  { name: 'hint chains in both: nft first, as the wrapper', input: { legacySave: save(0, ['SHOAL-SERVICES']), nftSave: save(0, ['SHOAL-SERVICES']) }, backend: 'nft', reason: /nft tables/ },
  { name: '10 or more legacy rules mean legacy, whatever nft holds', input: { legacySave: save(10), nftSave: save(50) }, backend: 'legacy', reason: /10 legacy rules \(≥ 10\)/ },
  { name: 'more nft rules (e.g. Docker on Debian 12) mean nft', input: { legacySave: save(2), nftSave: save(9) }, backend: 'nft', reason: /9 nft rules > 2 legacy rules/ },
  { name: 'a tie with some rules goes to legacy', input: { legacySave: save(3), nftSave: save(3) }, backend: 'legacy', reason: /3 legacy rules ≥ 3 nft rules/ },
  { name: 'no rules anywhere: the system default', input: { legacySave: EMPTY, nftSave: EMPTY, systemDefault: 'legacy' }, backend: 'legacy', reason: /no rules in either back end; using the system default \(legacy\)/ },
  { name: 'no rules and no default: nft', input: { legacySave: EMPTY, nftSave: EMPTY }, backend: 'nft', reason: /system default \(nft\)/ },
  { name: 'only the nft tool ran', input: { legacySave: undefined, nftSave: save(20) }, backend: 'nft', reason: /iptables-legacy-save is not available/ },
  { name: 'only the legacy tool ran', input: { legacySave: EMPTY, nftSave: undefined }, backend: 'legacy', reason: /iptables-nft-save is not available/ },
  { name: 'neither tool ran', input: { legacySave: undefined, nftSave: undefined, systemDefault: 'legacy' }, backend: 'legacy', reason: /neither/ },
  {
    name: 'nft output with its legacy-tables warning still counts its rules',
    input: { legacySave: save(1), nftSave: `# Warning: iptables-legacy tables present, use iptables-legacy-save to see them\n${save(4)}` },
    backend: 'nft',
    reason: /4 nft rules > 1 legacy rules/,
  },
];

for (const c of cases)
  t.test(`backend detect - ${c.name}`, async (t) => {
    const d = detectBackend(c.input);
    t.equal(d.backend, c.backend);
    t.match(d.reason, c.reason);
  });
