// shoalctl: the command-line client of a Shoal cluster.
export { runShoalctl } from './run.js';
export { buildProgram } from './program.js';
export type { CliConfig, CliContext, ClientVersion, ConfigStore, ConnectOptions } from './context.js';
export type { ShoalApi, ListOptions, ListResult, WatchEventView, WatchOptions, ServerVersion } from './shoal-api.js';
export { CliError, UsageError, ServerError, UnknownResourceError, ManifestError, AlreadyReported, EXIT, toCliError, errorLines } from './errors.js';
export { renderTable, renderAligned } from './output/table.js';
export type { Table } from './output/table.js';
export { getTable, getRow, DEFAULT_COLUMNS } from './output/get-table.js';
export { printJson, printYaml, printNames } from './output/printers.js';
export { componentStatusTable, membersTable, apiResourcesTable, versionText, formatBytes } from './output/cluster-tables.js';
export { describeObject, eventSelector } from './describe/describe.js';
export { planApply, withLastApplied, outcomeLine, LAST_APPLIED } from './apply/plan.js';
export { threeWayMergePatch, applyMergePatch } from './apply/three-way-merge.js';
export { parseManifestText, readManifests } from './manifests.js';
export { parseMapChanges, mapPatch } from './metadata-changes.js';
export { resolveResource, resourcesFromDiscovery, typeName } from './resources.js';
export type { ResourceInfo, DiscoveredResource } from './resources.js';
export { bashCompletion, zshCompletion, completionTree } from './completion.js';
