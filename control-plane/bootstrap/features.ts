// Which of contract C1's flag groups this build's API server parses. init/join generate C1's
// names; while a group is not parsed yet (the parts of issue 5 land separately) it is left out
// of the plan instead of making the process refuse to start. Asks the real parser, so the
// answer changes by itself when the flags arrive.
import { loadApiConfig } from '../apiserver/config.js';
import type { Features } from './control-plane-flags.js';

function parsed(flag: string, value: string): boolean {
  try {
    const { storeArgv } = loadApiConfig(['--api-listen-address=127.0.0.1:1', `--${flag}=${value}`]);
    return !storeArgv.some((a) => a.startsWith(`--${flag}`));
  } catch {
    // A parser that checks the value knows the flag.
    return true;
  }
}

export function detectFeatures(): Features {
  return {
    apiSecurity: parsed('api-authorization-mode', 'AlwaysAllow') && parsed('api-store-cafile', '/nonexistent'),
    controlLoops: parsed('control-loops', 'false'),
  };
}
