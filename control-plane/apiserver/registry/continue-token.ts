// List pagination: the continue token is an opaque base64 of {revision, next key}. Every page
// after the first reads at the first page's revision, so the pages form one consistent list.
import { badRequest } from '../errors.js';

export interface ContinueState {
  /** Store revision of the first page. */
  readonly rv: number;
  /** The key the next page starts at (inclusive). */
  readonly start: string;
}

export function encodeContinue(state: ContinueState): string {
  return Buffer.from(JSON.stringify({ v: 1, rv: state.rv, start: state.start }), 'utf8').toString('base64url');
}

export function decodeContinue(token: string, prefix: string): ContinueState {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badRequest(`invalid continue token "${token.slice(0, 64)}": not a token this server issued`);
  }
  const r = raw as { v?: unknown; rv?: unknown; start?: unknown };
  if (typeof raw !== 'object' || raw === null || r.v !== 1 || typeof r.rv !== 'number' || !Number.isSafeInteger(r.rv) || r.rv <= 0 || typeof r.start !== 'string') {
    throw badRequest('invalid continue token: not a token this server issued');
  }
  if (!r.start.startsWith(prefix)) throw badRequest('invalid continue token: it belongs to another list (resource or namespace)');
  return { rv: r.rv, start: r.start };
}
