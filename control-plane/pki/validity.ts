// Validity windows. notBefore is backdated so that a host whose clock is behind (a Raspberry Pi
// has no real-time clock until NTP syncs) still accepts a certificate issued just now; a leaf never
// outlives its CA.
import { PkiError } from './pki-error.js';

const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const DEFAULT_BACKDATE_MS = HOUR_MS;
export const DEFAULT_LEAF_VALIDITY_MS = 365 * DAY_MS;
export const DEFAULT_CA_VALIDITY_MS = 3650 * DAY_MS;

export interface ValidityOptions {
  /** How far notBefore lies before now (default 1 h). */
  backdateMs?: number;
  /** From now to notAfter (default 1 year for leaves, 10 years for the CA). */
  validityMs?: number;
}

/** Everything non-deterministic the PKI needs, injected. */
export interface PkiDeps {
  now: () => Date;
  /** Cryptographically secure bytes (e.g. node:crypto randomBytes). */
  randomBytes: (n: number) => Uint8Array;
}

export function validityWindow(now: Date, o: ValidityOptions, defaultValidityMs: number, notAfterCap?: Date): { notBefore: Date; notAfter: Date } {
  const backdate = o.backdateMs ?? DEFAULT_BACKDATE_MS;
  const validity = o.validityMs ?? defaultValidityMs;
  if (!Number.isFinite(backdate) || backdate < 0) throw new RangeError(`backdateMs must be >= 0, got ${backdate}`);
  if (!Number.isFinite(validity) || validity <= 0) throw new RangeError(`validityMs must be > 0, got ${validity}`);
  // X.509 times have second precision.
  const notBefore = new Date(Math.floor((now.getTime() - backdate) / 1000) * 1000);
  let notAfter = new Date(Math.floor((now.getTime() + validity) / 1000) * 1000);
  if (notAfterCap !== undefined && notAfter > notAfterCap) notAfter = notAfterCap;
  return { notBefore, notAfter };
}

/** A positive 127-bit serial number in hex (RFC 5280: positive, at most 20 octets). */
export function randomSerial(deps: PkiDeps): string {
  const b = Buffer.from(deps.randomBytes(16));
  if (b.length !== 16) throw new PkiError('random-failed', `asked for 16 bytes, got ${b.length}`);
  b[0] = (b[0]! & 0x7f) | 0x40; // positive, and no leading zero octet to strip
  return b.toString('hex');
}
