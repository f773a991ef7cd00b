// What `shoal-agent run` runs with: its flags over <data-dir>/agent.yaml over defaults. Pure.
// Without agent.yaml (a node that never joined) the connection is insecure: dev clusters only.
import { dirname } from 'node:path';
import type { AgentConfigFile } from './agent-config-file.js';
import { JoinError, JoinErrorCode } from './join-error.js';
import type { NodePaths } from './node-files.js';

/** The run flags that agent.yaml may supply. */
export interface RunFlags {
  /** --server, split; empty = not given. */
  readonly servers: readonly string[];
  readonly nodeName?: string | undefined;
  readonly dataDir: string;
}

export interface ResolvedRun {
  readonly servers: readonly string[];
  readonly nodeName: string;
  /** The node's key files (mTLS), or undefined for an insecure dev connection. */
  readonly identity: NodePaths | undefined;
}

export function resolveRunConfig(flags: RunFlags, file: AgentConfigFile | undefined, configPath: string, hostName: string): ResolvedRun {
  const servers = flags.servers.length > 0 ? flags.servers : (file?.servers ?? []);
  if (servers.length === 0) {
    throw new JoinError(JoinErrorCode.BadArgs, `--server: at least one API server address is required (or run "shoal-agent join" first, which writes ${configPath})`);
  }
  const nodeName = (flags.nodeName ?? file?.nodeName ?? hostName).toLowerCase();
  // The node authorizer keys on the certificate's name: another name would be refused everywhere.
  if (file !== undefined && nodeName !== file.nodeName) {
    throw new JoinError(JoinErrorCode.BadArgs, `--node-name ${nodeName}: this node joined as "${file.nodeName}" (${configPath}) and its certificate is for that name; run "shoal-agent join --node-name ${nodeName}" to change it`);
  }
  const identity: NodePaths | undefined =
    file === undefined ? undefined : { dataDir: flags.dataDir, pkiDir: dirname(file.cert), ca: file.ca, cert: file.cert, key: file.key, nextKey: `${file.key}.next`, config: configPath };
  return { servers, nodeName, identity };
}
