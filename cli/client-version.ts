// This shoalctl's version (client/build-info: baked into a release, else the checkout's;
// $SHOAL_GIT_COMMIT overrides the commit).
import { versionReport } from '../client/index.js';
import type { ClientVersion } from './context.js';

export const readClientVersion = (env: Readonly<Record<string, string | undefined>>): ClientVersion => versionReport(env);
