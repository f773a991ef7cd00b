// Bootstrap tokens in Kubernetes' format: "<id>.<secret>", id [a-z0-9]{6} (public: it names the
// token), secret [a-z0-9]{16} (the credential). Never log the whole token; the id is safe.
import { PkiError } from './pki-error.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const BOOTSTRAP_TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
/** Largest multiple of 36 below 256: bytes at or above it are redrawn, so every character is uniform. */
const UNBIASED_LIMIT = 252;
const MAX_DRAWS = 64;

export interface BootstrapToken {
  id: string;
  secret: string;
}

function randomString(length: number, randomBytes: (n: number) => Uint8Array): string {
  let out = '';
  for (let draw = 0; draw < MAX_DRAWS && out.length < length; draw++) {
    for (const b of randomBytes(length * 2)) {
      if (b < UNBIASED_LIMIT && out.length < length) out += ALPHABET[b % ALPHABET.length];
    }
  }
  if (out.length < length) throw new PkiError('random-failed', 'the random source kept returning unusable bytes');
  return out;
}

export function generateBootstrapToken(randomBytes: (n: number) => Uint8Array): BootstrapToken {
  return { id: randomString(6, randomBytes), secret: randomString(16, randomBytes) };
}

export function formatBootstrapToken(t: BootstrapToken): string {
  return `${t.id}.${t.secret}`;
}

export function parseBootstrapToken(raw: string): BootstrapToken {
  const m = BOOTSTRAP_TOKEN_PATTERN.exec(raw);
  // The input is not echoed: it may be a real token with a typo.
  if (m === null) throw new PkiError('bad-token', 'want "<6 of [a-z0-9]>.<16 of [a-z0-9]>"');
  return { id: m[1]!, secret: m[2]! };
}
