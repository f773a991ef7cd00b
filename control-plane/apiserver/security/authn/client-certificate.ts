// Identity from a client certificate that TLS has already verified against the cluster CA:
// the subject's CN is the user, each O a group (Kubernetes' x509 authenticator). A small pure
// function over either node's getPeerCertificate() object or the certificate itself.
// verifyClientCertificate() re-checks the chain and the validity window with an injected clock,
// for callers that receive a certificate outside a TLS handshake (e.g. CSR renewal).
import { X509Certificate } from 'node:crypto';
import type { UserInfo } from '../authorizer.js';
import { withAuthenticatedGroup } from '../identities.js';
import type { AuthnResult } from './authn-result.js';
import { refused } from './authn-result.js';

/** The subject as tls.TLSSocket#getPeerCertificate() gives it: repeated attributes become arrays. */
export interface PeerCertificateLike {
  readonly subject: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export type CertificateInput = PeerCertificateLike | X509Certificate | string | Uint8Array;

/** Undoes RFC 2253 escaping as OpenSSL prints it: "\," and "\XX" hex bytes. */
function unescapeValue(v: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\\' && i + 1 < v.length) {
      const hex = v.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(v[i + 1]!));
        i += 1;
      }
    } else bytes.push(...Buffer.from(c));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Splits on a separator that is not escaped by a backslash. */
function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s.slice(i, i + 2);
      i++;
    } else if (s.startsWith(sep, i)) {
      out.push(cur);
      cur = '';
      i += sep.length - 1;
    } else cur += s[i];
  }
  out.push(cur);
  return out;
}

/** X509Certificate#subject ("O=a\nO=b\nCN=c", multi-valued RDNs joined by " + ") → attribute lists. */
export function parseSubject(subject: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of splitUnescaped(subject, '\n')) {
    for (const part of splitUnescaped(line, ' + ')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      const key = part.slice(0, eq);
      const list = out.get(key) ?? [];
      list.push(unescapeValue(part.slice(eq + 1)));
      out.set(key, list);
    }
  }
  return out;
}

function toX509(input: X509Certificate | string | Uint8Array): X509Certificate {
  return input instanceof X509Certificate ? input : new X509Certificate(typeof input === 'string' ? input : Buffer.from(input));
}

function attributes(input: CertificateInput): Map<string, string[]> {
  if (typeof input === 'object' && !(input instanceof X509Certificate) && !(input instanceof Uint8Array)) {
    const m = new Map<string, string[]>();
    for (const [k, v] of Object.entries(input.subject)) if (v !== undefined) m.set(k, typeof v === 'string' ? [v] : [...v]);
    return m;
  }
  return parseSubject(toX509(input).subject);
}

/** CN → name, O → groups (plus system:authenticated); refused when there is no single non-empty CN. */
export function certificateIdentity(input: CertificateInput): AuthnResult {
  const attrs = attributes(input);
  const cn = attrs.get('CN') ?? [];
  if (cn.length !== 1 || cn[0] === '') return refused(`client certificate must have exactly one non-empty CN (the user name), it has ${cn.length}`);
  const user: UserInfo = { name: cn[0]!, groups: [...new Set((attrs.get('O') ?? []).filter((g) => g !== ''))] };
  return { kind: 'authenticated', user: withAuthenticatedGroup(user) };
}

/**
 * Checks that `cert` was issued and signed by one of `cas` and is valid at `now`, give or take
 * `toleranceSeconds` (an edge host's clock may be off until NTP syncs). Returns undefined when it
 * is, else the reason.
 */
export function verifyClientCertificate(cert: X509Certificate | string | Uint8Array, cas: readonly (X509Certificate | string)[], now: Date, toleranceSeconds = 0): string | undefined {
  const c = toX509(cert);
  const who = `client certificate "${c.subject.replace(/\n/g, ', ')}"`;
  const slack = toleranceSeconds * 1000;
  const notBefore = new Date(c.validFrom);
  const notAfter = new Date(c.validTo);
  if (now.getTime() + slack < notBefore.getTime()) return `${who} is not valid before ${notBefore.toISOString()}`;
  if (now.getTime() - slack > notAfter.getTime()) return `${who} expired at ${notAfter.toISOString()}`;
  for (const ca of cas.map(toX509)) {
    if (c.checkIssued(ca) && c.verify(ca.publicKey)) return undefined;
  }
  return `${who} is not signed by the cluster CA`;
}
