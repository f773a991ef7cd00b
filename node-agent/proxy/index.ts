// The service proxy's pure core: Services + Endpoints + node facts → iptables-restore text, the
// jump rules in the built-in chains, cleanup, and the legacy/nft back-end decision.
export { renderRuleset, ProxyConfigError } from './render-ruleset.js';
export type { NodeFacts, ExistingChains, RenderInput, RenderedRuleset } from './render-ruleset.js';
export { collectServicePorts, hasVirtualIP } from './service-ports.js';
export type { ServicePortInfo, EndpointInfo } from './service-ports.js';
export { Chain, CHAIN_PREFIX, SVC_PREFIX, SEP_PREFIX, serviceChainName, endpointChainName, servicePortName, hash16 } from './chain-names.js';
export type { FixedChain, Protocol } from './chain-names.js';
export { probability } from './probability.js';
export { JUMP_RULES, jumpArgv, canaryArgv, renderCleanup } from './jump-rules.js';
export type { JumpRule, IptablesTable, Cleanup } from './jump-rules.js';
export { detectBackend } from './backend-detect.js';
export type { BackendDecision, BackendInput, IptablesBackend } from './backend-detect.js';
export { parseSave, shoalChains, shoalChainsAll } from './save-text.js';
export type { SaveSummary } from './save-text.js';
