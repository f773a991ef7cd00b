// Tables for the Cluster service's answers: componentstatuses, members, version, api-resources.
import type { ResourceInfo } from '../resources.js';
import type { Table } from './table.js';

export interface ComponentStatusView {
  readonly name: string;
  readonly healthy: boolean;
  readonly message: string;
  readonly error: string;
}

export function componentStatusTable(components: readonly ComponentStatusView[]): Table {
  return {
    headers: ['NAME', 'STATUS', 'MESSAGE', 'ERROR'],
    rows: components.map((c) => [c.name, c.healthy ? 'Healthy' : 'Unhealthy', c.message, c.error]),
  };
}

export interface MemberView {
  readonly name: string;
  readonly id: string;
  readonly leader: boolean;
  readonly learner: boolean;
  readonly raftTerm: number;
  readonly raftAppliedIndex: number;
  readonly dbSize: number;
  readonly healthy: boolean;
  readonly error: string;
}

export function membersTable(members: readonly MemberView[]): Table {
  return {
    headers: ['NAME', 'ID', 'LEADER', 'TERM', 'APPLIED', 'DB-SIZE', 'HEALTH'],
    rows: members.map((m) => [
      m.name,
      m.id,
      m.leader ? 'true' : 'false',
      String(m.raftTerm),
      String(m.raftAppliedIndex),
      formatBytes(m.dbSize),
      m.healthy ? 'healthy' : m.error ? `unhealthy: ${m.error}` : 'unhealthy',
    ]),
  };
}

/** SI sizes as etcdctl prints them (go-humanize Bytes): "82 B", "1.2 kB", "25 MB". */
export function formatBytes(size: number): string {
  if (size < 10) return `${size} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'] as const;
  const e = Math.min(Math.floor(Math.log(size) / Math.log(1000)), units.length - 1);
  const value = Math.floor((size / 1000 ** e) * 10 + 0.5) / 10;
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ${units[e]}`;
}

export function apiResourcesTable(resources: readonly ResourceInfo[], wide: boolean): Table {
  const sorted = [...resources].sort((a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource));
  return {
    headers: ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS'] : [])],
    rows: sorted.map((r) => [
      r.resource,
      r.shortNames.join(','),
      r.apiVersion,
      String(r.namespaced),
      r.kind,
      ...(wide ? [`[${r.verbs.join(' ')}]`] : []),
    ]),
  };
}

export interface VersionView {
  readonly client: { version: string; gitCommit: string; nodeVersion: string; platform: string };
  readonly server?: { version: string; gitCommit: string; nodeVersion: string; platform: string };
  readonly serverError?: string;
}

export function versionText(v: VersionView): string {
  const line = (label: string, x: VersionView['client']) =>
    `${label} Version: ${x.version} (git commit ${x.gitCommit || 'unknown'}, node ${x.nodeVersion}, ${x.platform})\n`;
  return line('Client', v.client) + (v.server ? line('Server', v.server) : '');
}
