// <data-dir>/agent.yaml, written by `shoal-agent join` and read by `shoal-agent run` (its flags
// override it). Parsing and validation are pure; every error names the file and the field.
//
//   servers: [10.0.0.1:6443, 10.0.0.2:6443]
//   nodeName: edge-1
//   ca: /var/lib/shoal/pki/ca.crt       # relative paths are relative to this file's folder
//   cert: /var/lib/shoal/pki/node.crt
//   key: /var/lib/shoal/pki/node.key
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { validateServer } from '../../client/index.js';
import { writeSecretFile } from '../../control-plane/pki/index.js';
import { JoinError, JoinErrorCode } from './join-error.js';

export interface AgentConfigFile {
  readonly servers: readonly string[];
  readonly nodeName: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

const FIELDS = ['servers', 'nodeName', 'ca', 'cert', 'key'] as const;
const NODE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function validNodeName(name: string): string | undefined {
  return name.length <= 253 && NODE_NAME.test(name) ? undefined : `"${name}" is not a valid node name (lower-case DNS-1123 subdomain)`;
}

export function parseAgentConfig(text: string, file: string): AgentConfigFile {
  const bad = (field: string, detail: string): never => {
    throw new JoinError(JoinErrorCode.BadConfig, `${file}${field === '' ? '' : `: ${field}`}: ${detail}`);
  };
  const doc = parseDocument(text);
  if (doc.errors[0] !== undefined) bad('', `not valid YAML: ${doc.errors[0].message}`);
  const o = doc.toJS() as unknown;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return bad('', `must be a mapping with ${FIELDS.join(', ')}`);
  const m = o as Record<string, unknown>;
  for (const k of Object.keys(m)) if (!(FIELDS as readonly string[]).includes(k)) bad(k, `unknown field (known: ${FIELDS.join(', ')})`);
  const servers = m['servers'];
  if (!Array.isArray(servers) || servers.length === 0) bad('servers', 'must be a non-empty list of host:port');
  (servers as unknown[]).forEach((s, i) => {
    if (typeof s !== 'string') bad(`servers[${i}]`, 'must be a string host:port');
    const problem = validateServer(s as string);
    if (problem !== undefined) bad(`servers[${i}]`, problem);
  });
  const str = (k: string): string => {
    const v = m[k];
    return typeof v === 'string' && v !== '' ? v : bad(k, 'must be a non-empty string');
  };
  const nodeName = str('nodeName');
  const problem = validNodeName(nodeName);
  if (problem !== undefined) bad('nodeName', problem);
  const path = (k: string): string => {
    const p = str(k);
    return isAbsolute(p) ? p : resolve(dirname(file), p);
  };
  return { servers: servers as string[], nodeName, ca: path('ca'), cert: path('cert'), key: path('key') };
}

export function serializeAgentConfig(c: AgentConfigFile): string {
  return `# written by shoal-agent join; shoal-agent run reads it (its flags override it)\n${stringify({ servers: [...c.servers], nodeName: c.nodeName, ca: c.ca, cert: c.cert, key: c.key })}`;
}

/** undefined when the file does not exist. */
export async function loadAgentConfig(file: string): Promise<AgentConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new JoinError(JoinErrorCode.BadConfig, `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  return parseAgentConfig(text, file);
}

export async function saveAgentConfig(file: string, c: AgentConfigFile): Promise<void> {
  await writeSecretFile(file, serializeAgentConfig(c));
}
