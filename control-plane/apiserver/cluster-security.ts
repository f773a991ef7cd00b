// The secured API server's security state and stages, wired to its watch caches:
// - authentication (pipeline/cluster-authentication.ts) looks Secrets (bootstrap tokens) and
//   ServiceAccounts (service-account tokens) up in the watch caches: no store read per request,
//   and a deleted Secret or ServiceAccount stops authenticating as soon as its delete reaches
//   the cache;
// - authorization ("Node,RBAC"): an RbacIndex fed from Roles, ClusterRoles, RoleBindings and
//   ClusterRoleBindings, and a NodeGraph fed from pods, both through CacheFeed;
// - at start, the default RBAC policy (defaultRbacPolicy()) and the kube-public cluster-info
//   reader Role/RoleBinding are created when missing; existing objects are left as they are (an
//   administrator's edits win, as with Kubernetes' bootstrap roles).
import type { KeyObject, X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import type { KindDefinition, KubeObject } from '../../api/kind.js';
import type { Clock } from './clock.js';
import { CacheFeed } from './cache-feed.js';
import { ApiError, Code } from './errors.js';
import type { KindLookup } from './kinds.js';
import type { Authenticator } from './pipeline/authentication.js';
import type { Authorizer } from './pipeline/authorization.js';
import { alwaysAllow } from './pipeline/authorization.js';
import { ClusterAuthenticator } from './pipeline/cluster-authentication.js';
import { NodeRbacAuthorizer } from './pipeline/cluster-authorization.js';
import { objectKey } from './registry/keys.js';
import type { Decision, PodLike, RbacEvent, RequestAttributes as SecurityAttributes, SecretLike, TokenAuthenticator, UserInfo } from './security/index.js';
import {
  authenticateBootstrapToken,
  authenticateServiceAccountToken,
  ClusterAuthorizer,
  defaultRbacPolicy,
  Groups,
  NodeGraph,
  RBAC_GROUP,
  RbacIndex,
} from './security/index.js';
import type { WatchCaches } from './watch-caches.js';

export const AuthorizationMode = { AlwaysAllow: 'AlwaysAllow', NodeRBAC: 'Node,RBAC' } as const;
export type AuthorizationMode = (typeof AuthorizationMode)[keyof typeof AuthorizationMode];

export interface ClusterSecurityOptions {
  /** CAs whose client certificates authenticate users (CN = user, O = groups). */
  readonly clientCas: readonly X509Certificate[];
  readonly authorizationMode: AuthorizationMode;
  /** Verifies service-account tokens; absent = such tokens are refused. */
  readonly serviceAccount?: {
    readonly publicKeys: readonly KeyObject[];
    readonly issuer: string;
    /** Accepted token audiences (default: [issuer], as Kubernetes defaults --api-audiences). */
    readonly audiences?: readonly string[];
  };
  /** Clock skew tolerated on client certificates (default 300 s: edge clocks drift before NTP). */
  readonly certificateToleranceSeconds?: number;
}

/** The Role and RoleBinding that make kube-public/cluster-info readable without credentials (C2). */
export const CLUSTER_INFO_READER = 'shoal:cluster-info-reader';

const RBAC_KINDS = [
  ['roles', 'Role'],
  ['clusterroles', 'ClusterRole'],
  ['rolebindings', 'RoleBinding'],
  ['clusterrolebindings', 'ClusterRoleBinding'],
] as const;

/** Every object the API server ensures at start (RBAC mode): [resource, object]. */
export function bootstrapPolicyObjects(): [string, KubeObject][] {
  const apiVersion = `${RBAC_GROUP}/v1`;
  const p = defaultRbacPolicy();
  const out: [string, KubeObject][] = [
    // Stored with their aggregated rules and without aggregationRule, which the ClusterRole kind
    // does not serve (no aggregation controller): admin/edit/view are complete as written.
    ...p.clusterRoles.map(({ aggregationRule: _, ...r }): [string, KubeObject] => ['clusterroles', { ...(r as unknown as KubeObject), apiVersion, kind: 'ClusterRole' }]),
    ...p.clusterRoleBindings.map((b): [string, KubeObject] => ['clusterrolebindings', { ...(b as unknown as KubeObject), apiVersion, kind: 'ClusterRoleBinding' }]),
  ];
  const meta = { name: CLUSTER_INFO_READER, namespace: 'kube-public' };
  out.push(['roles', { apiVersion, kind: 'Role', metadata: meta, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'] }] } as KubeObject]);
  out.push([
    'rolebindings',
    {
      apiVersion,
      kind: 'RoleBinding',
      metadata: meta,
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: CLUSTER_INFO_READER },
      subjects: [
        { apiGroup: RBAC_GROUP, kind: 'Group', name: Groups.unauthenticated },
        { apiGroup: RBAC_GROUP, kind: 'Group', name: Groups.authenticated },
      ],
    } as KubeObject,
  ]);
  return out;
}

export interface ClusterSecurityDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly kinds: KindLookup;
}

export class ClusterSecurity {
  /** undefined in AlwaysAllow mode. */
  readonly rbac: RbacIndex | undefined;
  readonly nodes = new NodeGraph();
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  private readonly cluster: ClusterAuthorizer | undefined;
  private caches: WatchCaches | undefined;
  private feeds: CacheFeed[] = [];
  private loaded = false;
  private closed = false;

  constructor(
    private readonly o: ClusterSecurityOptions,
    private readonly d: ClusterSecurityDeps,
  ) {
    if (o.authorizationMode === AuthorizationMode.NodeRBAC) {
      this.rbac = new RbacIndex();
      this.cluster = new ClusterAuthorizer(this.rbac, this.nodes);
      this.authorizer = new NodeRbacAuthorizer(this.cluster, () => this.loaded);
    } else {
      this.authorizer = alwaysAllow;
    }
    const tokens: TokenAuthenticator[] = [(token) => authenticateBootstrapToken(token, { lookup: (ns, name) => this.cached<SecretLike>('secrets', ns, name), now: d.clock.now() })];
    const sa = o.serviceAccount;
    if (sa !== undefined) {
      tokens.push((token) =>
        authenticateServiceAccountToken(token, {
          publicKeys: sa.publicKeys,
          issuer: sa.issuer,
          audiences: sa.audiences ?? [sa.issuer],
          now: d.clock.now(),
          lookup: (ns, name) => {
            const uid = this.cached<KubeObject>('serviceaccounts', ns, name)?.metadata.uid;
            return uid === undefined ? undefined : { uid };
          },
        }),
      );
    }
    this.authenticator = new ClusterAuthenticator({
      clientCas: o.clientCas,
      tokens,
      now: () => d.clock.now(),
      certificateToleranceSeconds: o.certificateToleranceSeconds ?? 300,
      authorize: (user, attrs) => this.decide(user, attrs),
      log: d.log,
    });
  }

  /**
   * The authorizer's answer for any user (impersonation checks, access reviews, Cluster calls).
   * Until the RBAC state is loaded it throws UNAVAILABLE, as the request authorizer does: a
   * restarting host would otherwise deny an admin, and a denial is not failed over.
   */
  decide(user: UserInfo, attrs: SecurityAttributes): Decision {
    if (this.cluster === undefined) return { allowed: true, reason: 'authorization mode AlwaysAllow' };
    if (!this.loaded) throw new ApiError(Code.UNAVAILABLE, 'the API server has not loaded its RBAC policy yet; retry');
    return this.cluster.authorize(user, attrs);
  }

  private kind(resource: string): KindDefinition {
    const k = this.d.kinds.byResource(resource);
    if (k === undefined) throw new Error(`security needs the ${resource} kind to be served`);
    return k;
  }

  /** An object from the watch cache (no store read); undefined when absent or not loaded yet. */
  private cached<T>(resource: string, namespace: string, name: string): T | undefined {
    const kind = this.kind(resource);
    // Before the caches are attached, "absent" would wrongly refuse valid tokens: ask to retry.
    if (this.caches === undefined) throw new ApiError(Code.UNAVAILABLE, 'the API server is starting (its caches are not loaded yet); retry');
    return this.caches.get(kind).get(objectKey(kind.resource, namespace, name, kind.namespaced))?.object as T | undefined;
  }

  /** Objects to create at start when missing (RBAC mode only). */
  bootstrapObjects(): [KindDefinition, KubeObject][] {
    if (this.rbac === undefined) return [];
    return bootstrapPolicyObjects().map(([resource, o]) => [this.kind(resource), o]);
  }

  /** Attaches the started watch caches and loads the authorizers' state from them. */
  async start(caches: WatchCaches): Promise<void> {
    this.caches = caches;
    if (this.rbac === undefined || this.loaded) return;
    const rbac = this.rbac;
    for (const f of this.feeds) f.close(); // an earlier attempt that failed half way
    const feeds: CacheFeed[] = RBAC_KINDS.map(
      ([resource, kind]) =>
        new CacheFeed(
          resource,
          caches.get(this.kind(resource)),
          {
            onUpsert: (object) => rbac.apply({ type: 'upsert', kind, object } as unknown as RbacEvent),
            onDelete: (object) => rbac.apply({ type: 'delete', kind, object } as unknown as RbacEvent),
          },
          this.d.log,
        ),
    );
    feeds.push(
      new CacheFeed(
        'pods',
        caches.get(this.kind('pods')),
        {
          onUpsert: (pod) => this.nodes.upsertPod(pod as unknown as PodLike),
          onDelete: (pod) => this.nodes.deletePod(pod.metadata.namespace ?? '', pod.metadata.name ?? ''),
        },
        this.d.log,
      ),
    );
    this.feeds = feeds;
    await Promise.all(feeds.map((f) => f.start()));
    if (this.closed) return;
    this.loaded = true;
    this.d.log.info({ rbac: rbac.size(), pods: this.nodes.podCount() }, 'authorization state loaded');
  }

  close(): void {
    this.closed = true;
    for (const f of this.feeds) f.close();
  }
}
