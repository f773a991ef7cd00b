// What Cluster.Version reports, read once at start (client/build-info: the version and commit
// baked into a release, else the checkout's; $SHOAL_GIT_COMMIT overrides the commit).
import { versionReport } from '../../client/index.js';
import type { VersionReport } from '../../client/index.js';

export type VersionInfo = VersionReport;

export const readVersionInfo = (env: NodeJS.ProcessEnv = process.env): VersionInfo => versionReport(env);
