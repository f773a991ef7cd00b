// The API server's sources of time and randomness, injected (no hidden module state).
import { randomInt, randomUUID } from 'node:crypto';

export interface Clock {
  now(): Date;
}

export interface RandomSource {
  uuid(): string;
  /** `length` characters for generateName, from Kubernetes' alphabet (no vowels, no look-alikes). */
  suffix(length: number): string;
}

export const systemClock: Clock = { now: () => new Date() };

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export const cryptoRandom: RandomSource = {
  uuid: () => randomUUID(),
  suffix: (length) => Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
};

/** RFC 3339 with seconds, as Kubernetes prints timestamps: 2026-12-04T13:43:24Z. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
