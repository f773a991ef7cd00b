// Applying a rendered ruleset: one iptables-restore --noflush, so the whole change is atomic.
import type { RenderedRuleset } from '../proxy/index.js';
import type { IptablesExecutor } from './iptables-executor.js';

export async function applyRuleset(ex: IptablesExecutor, rendered: RenderedRuleset): Promise<void> {
  await ex.restore(rendered.text);
}
