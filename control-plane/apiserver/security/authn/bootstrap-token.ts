// Bootstrap tokens ("abcdef.0123456789abcdef"): the id names a Secret kube-system/bootstrap-token-<id>
// of type bootstrap.kubernetes.io/token holding token-id, token-secret, expiration (RFC 3339),
// usage-bootstrap-authentication ("true") and auth-extra-groups. A valid one authenticates as
// system:bootstrap:<id> in group system:bootstrappers (plus the extra groups). Expired or deleted
// tokens are refused; deleting the Secret revokes the token at once.
import { timingSafeEqual } from 'node:crypto';
import { Groups, bootstrapUsername, withAuthenticatedGroup } from '../identities.js';
import type { AuthnResult, MaybePromise } from './authn-result.js';
import { notMine, refused } from './authn-result.js';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** The parts of a Secret read here; data values are base64 as stored. */
export interface SecretLike {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly deletionTimestamp?: string };
  readonly type?: string;
  readonly data?: Readonly<Record<string, string>>;
}

export type SecretLookup = (namespace: string, name: string) => MaybePromise<SecretLike | undefined>;

export function parseBootstrapToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN.exec(token);
  return m === null ? undefined : { id: m[1]!, secret: m[2]! };
}

export const bootstrapTokenSecretName = (id: string): string => `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${id}`;

/** A new token from the injected random source (uniform over [a-z0-9], by rejection sampling). */
export function generateBootstrapToken(random: (n: number) => Uint8Array): string {
  const chars: string[] = [];
  // 252 = 7 × 36: bytes at or above it are dropped so every character is equally likely.
  for (let round = 0; chars.length < 22 && round < 100; round++) {
    for (const b of random(32)) if (b < 252 && chars.length < 22) chars.push(ALPHABET[b % 36]!);
  }
  if (chars.length < 22) throw new Error('random source gave too few usable bytes for a bootstrap token');
  return `${chars.slice(0, 6).join('')}.${chars.slice(6).join('')}`;
}

export interface BootstrapTokenSpec {
  readonly token: string;
  /** RFC 3339; omitted = never expires. */
  readonly expiration?: string;
  readonly extraGroups?: readonly string[];
  readonly description?: string;
}

/** The Secret that `shoalctl token create` stores for a token (data base64-encoded). */
export function bootstrapTokenSecret(spec: BootstrapTokenSpec): SecretLike & { readonly kind: 'Secret'; readonly apiVersion: 'v1' } {
  const t = parseBootstrapToken(spec.token);
  if (t === undefined) throw new Error('a bootstrap token is 6 then 16 characters of [a-z0-9], joined by "."');
  for (const g of spec.extraGroups ?? []) if (!EXTRA_GROUP.test(g)) throw new Error(`extra group "${g}" must start with "system:bootstrappers:"`);
  const data: Record<string, string> = { 'token-id': t.id, 'token-secret': t.secret, 'usage-bootstrap-authentication': 'true', 'usage-bootstrap-signing': 'true' };
  if (spec.expiration !== undefined) data.expiration = spec.expiration;
  if (spec.extraGroups !== undefined && spec.extraGroups.length > 0) data['auth-extra-groups'] = spec.extraGroups.join(',');
  if (spec.description !== undefined) data.description = spec.description;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: bootstrapTokenSecretName(t.id), namespace: BOOTSTRAP_TOKEN_NAMESPACE },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

function field(s: SecretLike, key: string): string | undefined {
  const v = s.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/** Whether the token's Secret has expired at `now` (an unreadable expiration counts as expired). */
export function bootstrapTokenExpired(s: SecretLike, now: Date): boolean {
  const exp = field(s, 'expiration');
  if (exp === undefined) return false;
  const at = Date.parse(exp);
  return Number.isNaN(at) || now.getTime() >= at;
}

export async function authenticateBootstrapToken(token: string, opts: { readonly lookup: SecretLookup; readonly now: Date }): Promise<AuthnResult> {
  const t = parseBootstrapToken(token);
  if (t === undefined) return notMine;
  const name = bootstrapTokenSecretName(t.id);
  const what = `bootstrap token "${t.id}"`;
  const s = await opts.lookup(BOOTSTRAP_TOKEN_NAMESPACE, name);
  if (s === undefined) return refused(`${what}: no Secret ${BOOTSTRAP_TOKEN_NAMESPACE}/${name} (deleted or never created)`);
  if (s.metadata.deletionTimestamp !== undefined) return refused(`${what}: its Secret is being deleted`);
  if (s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return refused(`${what}: Secret ${name} has type "${s.type ?? ''}", not "${BOOTSTRAP_TOKEN_SECRET_TYPE}"`);
  if (field(s, 'token-id') !== t.id) return refused(`${what}: Secret ${name} holds another token-id`);
  const stored = Buffer.from(field(s, 'token-secret') ?? '');
  const given = Buffer.from(t.secret);
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return refused(`${what}: wrong token secret`);
  if (bootstrapTokenExpired(s, opts.now)) return refused(`${what}: expired at ${field(s, 'expiration') ?? ''}`);
  if (field(s, 'usage-bootstrap-authentication') !== 'true') return refused(`${what}: not usable for authentication (usage-bootstrap-authentication is not "true")`);
  const extra = (field(s, 'auth-extra-groups') ?? '').split(',').map((g) => g.trim()).filter((g) => g !== '');
  const bad = extra.find((g) => !EXTRA_GROUP.test(g));
  if (bad !== undefined) return refused(`${what}: auth-extra-groups has "${bad}", which does not start with "system:bootstrappers:"`);
  return { kind: 'authenticated', user: withAuthenticatedGroup({ name: bootstrapUsername(t.id), groups: [Groups.bootstrappers, ...extra] }) };
}

/** One row of `shoalctl token list`: never the secret half. */
export interface BootstrapTokenSummary {
  readonly id: string;
  /** RFC 3339, or "" when it never expires. */
  readonly expires: string;
  readonly expired: boolean;
  readonly usages: readonly string[];
  readonly extraGroups: readonly string[];
  readonly description: string;
}

/** Summarizes a token Secret, or undefined when the Secret is not a bootstrap token. */
export function describeBootstrapToken(s: SecretLike, now: Date): BootstrapTokenSummary | undefined {
  const id = field(s, 'token-id');
  if (s.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || id === undefined) return undefined;
  const usages = Object.keys(s.data ?? {})
    .filter((k) => k.startsWith('usage-bootstrap-') && field(s, k) === 'true')
    .map((k) => k.slice('usage-bootstrap-'.length))
    .sort();
  return {
    id,
    expires: field(s, 'expiration') ?? '',
    expired: bootstrapTokenExpired(s, now),
    usages,
    extraGroups: (field(s, 'auth-extra-groups') ?? '').split(',').filter((g) => g !== ''),
    description: field(s, 'description') ?? '',
  };
}
