// Which iptables back end the host's rules live in (legacy x_tables or nf_tables), decided from
// the output of `iptables-legacy-save` and `iptables-nft-save`. After kube-proxy's
// iptables-wrapper: rules written to the other back end are invisible to the one in use, and
// mixing them breaks clusters (seen on Raspberry Pi OS). Pure: the caller runs the commands.
import { CHAIN_PREFIX } from './chain-names.js';
import { parseSave } from './save-text.js';

export type IptablesBackend = 'legacy' | 'nft';

export interface BackendDecision {
  backend: IptablesBackend;
  reason: string;
}

export interface BackendInput {
  /** Output of iptables-legacy-save (plus ip6tables-legacy-save if wanted); undefined if it is missing or failed. */
  legacySave: string | undefined;
  /** Output of iptables-nft-save (plus ip6tables-nft-save); undefined if it is missing or failed. */
  nftSave: string | undefined;
  /** What `iptables` points to on this host, for hosts with no rules at all (`iptables --version`: "(nf_tables)"). */
  systemDefault?: IptablesBackend;
}

/** Chains whose presence says which back end the cluster tools already chose. */
const HINT_CHAINS = ['KUBE-IPTABLES-HINT', 'KUBE-KUBELET-CANARY'];
/** iptables-wrapper: this many legacy rules mean legacy is in use, whatever nft holds. */
const LEGACY_RULES_DECISIVE = 10;

export function detectBackend(input: BackendInput): BackendDecision {
  const fallback = input.systemDefault ?? 'nft';
  if (input.legacySave === undefined && input.nftSave === undefined)
    return { backend: fallback, reason: `neither iptables-legacy-save nor iptables-nft-save ran; using the system default (${fallback})` };
  if (input.legacySave === undefined) return { backend: 'nft', reason: 'iptables-legacy-save is not available' };
  if (input.nftSave === undefined) return { backend: 'legacy', reason: 'iptables-nft-save is not available' };

  const legacy = parseSave(input.legacySave);
  const nft = parseSave(input.nftSave);
  for (const [backend, summary] of [['nft', nft], ['legacy', legacy]] as const) {
    const hint = hintChain(summary.chains);
    if (hint !== undefined) return { backend, reason: `${hint} chain found in the ${backend} tables` };
  }
  if (legacy.ruleCount >= LEGACY_RULES_DECISIVE)
    return { backend: 'legacy', reason: `${legacy.ruleCount} legacy rules (≥ ${LEGACY_RULES_DECISIVE})` };
  if (legacy.ruleCount === 0 && nft.ruleCount === 0) return { backend: fallback, reason: `no rules in either back end; using the system default (${fallback})` };
  if (legacy.ruleCount >= nft.ruleCount) return { backend: 'legacy', reason: `${legacy.ruleCount} legacy rules ≥ ${nft.ruleCount} nft rules` };
  return { backend: 'nft', reason: `${nft.ruleCount} nft rules > ${legacy.ruleCount} legacy rules` };
}

function hintChain(chains: Map<string, string[]>): string | undefined {
  for (const list of chains.values())
    for (const c of list) if (HINT_CHAINS.includes(c) || c.startsWith(CHAIN_PREFIX)) return c;
  return undefined;
}
