// The bearer token of a request: one "authorization" value "Bearer <token>" (scheme in any case).
// Tokens are opaque here; bootstrap tokens and service-account JWTs are told apart later.

export type BearerToken = { readonly kind: 'none' } | { readonly kind: 'token'; readonly token: string } | { readonly kind: 'invalid'; readonly reason: string };

/** RFC 6750 token68 characters. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** @param values the request's "authorization" metadata values (gRPC metadata keys are lower case) */
export function parseBearerToken(values: readonly string[] | string | undefined): BearerToken {
  const list = values === undefined ? [] : typeof values === 'string' ? [values] : values;
  if (list.length === 0) return { kind: 'none' };
  if (list.length > 1) return { kind: 'invalid', reason: `${list.length} authorization headers; send exactly one` };
  const m = /^(\S+)\s+(.*)$/.exec(list[0]!.trim());
  if (m === null || m[1]!.toLowerCase() !== 'bearer') return { kind: 'invalid', reason: 'the authorization header is not "Bearer <token>"' };
  const token = m[2]!.trim();
  if (!TOKEN68.test(token)) return { kind: 'invalid', reason: 'the bearer token is empty or has characters a token cannot have' };
  return { kind: 'token', token };
}
