// Users shared by the security tests, as the authenticators would produce them, and temp dirs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type t from 'tap';
import type { UserInfo } from '../../../control-plane/apiserver/security/index.js';
import { Groups, serviceAccountGroups, serviceAccountUsername } from '../../../control-plane/apiserver/security/index.js';

export const user = (name: string, ...groups: string[]): UserInfo => ({ name, groups: [...groups, Groups.authenticated] });

export const serviceAccount = (namespace: string, name: string): UserInfo => ({
  name: serviceAccountUsername(namespace, name),
  groups: [...serviceAccountGroups(namespace), Groups.authenticated],
  serviceAccount: { namespace, name, uid: `uid-${namespace}-${name}` },
});

export const node = (name: string): UserInfo => ({ name: `system:node:${name}`, groups: [Groups.nodes, Groups.authenticated] });

/** A temp dir removed when the test ends, pass or fail. */
export function tempDir(test: Pick<typeof t, 'teardown'>): string {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-security-'));
  test.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
