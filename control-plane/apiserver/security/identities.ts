// Well-known user and group names, and how service-account and node identities are spelled.
// They are Kubernetes' names, so RBAC objects written for Kubernetes mean the same here.

export const Groups = {
  authenticated: 'system:authenticated',
  unauthenticated: 'system:unauthenticated',
  masters: 'system:masters',
  nodes: 'system:nodes',
  bootstrappers: 'system:bootstrappers',
  serviceAccounts: 'system:serviceaccounts',
} as const;

export const Users = {
  anonymous: 'system:anonymous',
  scheduler: 'system:kube-scheduler',
  controllerManager: 'system:kube-controller-manager',
} as const;

const SA_PREFIX = 'system:serviceaccount:';
const NODE_PREFIX = 'system:node:';
const BOOTSTRAP_PREFIX = 'system:bootstrap:';

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SA_PREFIX}${namespace}:${name}`;
}

/** "system:serviceaccount:ns:name" → {namespace, name}; anything else → undefined. */
export function parseServiceAccountUsername(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SA_PREFIX)) return undefined;
  const parts = user.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  return { namespace: parts[0]!, name: parts[1]! };
}

/** The groups every service account of a namespace belongs to. */
export function serviceAccountGroups(namespace: string): string[] {
  return [Groups.serviceAccounts, `${Groups.serviceAccounts}:${namespace}`];
}

export function nodeUsername(nodeName: string): string {
  return `${NODE_PREFIX}${nodeName}`;
}

/** The node's name when the user is a node (name system:node:<name> and group system:nodes). */
export function nodeNameOf(user: { readonly name: string; readonly groups: readonly string[] }): string | undefined {
  if (!user.groups.includes(Groups.nodes) || !user.name.startsWith(NODE_PREFIX)) return undefined;
  const name = user.name.slice(NODE_PREFIX.length);
  return name === '' ? undefined : name;
}

export function bootstrapUsername(tokenId: string): string {
  return `${BOOTSTRAP_PREFIX}${tokenId}`;
}

/** Adds system:authenticated (once), as Kubernetes does for every authenticated request. */
export function withAuthenticatedGroup<U extends { readonly groups: readonly string[] }>(user: U): U {
  return user.groups.includes(Groups.authenticated) ? user : { ...user, groups: [...user.groups, Groups.authenticated] };
}
