// Reading untyped object fields for describe: every helper returns a safe default.

export type Rec = Record<string, unknown>;

export function rec(v: unknown): Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {};
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown, fallback = ''): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return fallback;
}

/** `a=b,c=d` or `<none>`. */
export function pairs(map: unknown, sep = ','): string {
  const entries = Object.entries(rec(map));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${str(v)}`).join(sep);
}

export function orNone(text: string): string {
  return text === '' ? '<none>' : text;
}
