// kubectl apply's three-way JSON merge patch (RFC 7386): from the last applied configuration
// (original), the file (modified) and the live object (current). Fields the file dropped since
// the last apply are deleted (null); fields whose file value differs from the live value are
// set; fields only the server or other writers own are left alone. Lists are replaced whole.
// An empty patch means the live object already matches the file: "unchanged".

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Deletions: keys of original missing from modified (recursively through objects both have). */
function deletions(original: JsonObject, modified: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const [key, was] of Object.entries(original)) {
    if (!(key in modified)) patch[key] = null;
    else {
      const now = modified[key];
      if (isObject(was) && isObject(now)) {
        const inner = deletions(was, now);
        if (Object.keys(inner).length > 0) patch[key] = inner;
      }
    }
  }
  return patch;
}

/**
 * True when every field `want` gives has that value in `have`; lists must match element by
 * element. Fields the server added (defaults, status) do not count as a difference.
 */
export function covers(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(have) && want.length === have.length && want.every((w, i) => covers(w, have[i]));
  if (isObject(want)) return isObject(have) && Object.entries(want).every(([k, w]) => k in have && covers(w, have[k]));
  return jsonEqual(want, have);
}

/**
 * Additions and changes: what modified says that current does not (keys only in current stay).
 * A list is sent whole when the file changed it since the last apply or the live list does not
 * cover it; a list the server only added defaults to is left alone.
 */
function changes(original: JsonObject, current: JsonObject, modified: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const [key, want] of Object.entries(modified)) {
    const have = current[key];
    const was = original[key];
    if (isObject(want) && isObject(have)) {
      const inner = changes(isObject(was) ? was : {}, have, want);
      if (Object.keys(inner).length > 0) patch[key] = inner;
    } else if (Array.isArray(want)) {
      if (!covers(want, have) || (was !== undefined && !jsonEqual(was, want))) patch[key] = want;
    } else if (!(key in current) || !jsonEqual(have, want)) {
      patch[key] = want;
    }
  }
  return patch;
}

function mergeInto(target: JsonObject, source: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [key, value] of Object.entries(source)) {
    const existing = out[key];
    out[key] = isObject(existing) && isObject(value) ? mergeInto(existing, value) : value;
  }
  return out;
}

/**
 * The patch taking current to modified while deleting what original had and modified dropped.
 * A deletion of a field current does not have is left out (nothing to delete).
 */
export function threeWayMergePatch(original: JsonObject, modified: JsonObject, current: JsonObject): JsonObject {
  const del = pruneAbsent(deletions(original, modified), current);
  return mergeInto(del, changes(original, current, modified));
}

function pruneAbsent(patch: JsonObject, current: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(patch)) {
    if (!(key in current)) continue;
    if (value === null) out[key] = null;
    else if (isObject(value)) {
      const cur = current[key];
      const inner = isObject(cur) ? pruneAbsent(value, cur) : {};
      if (Object.keys(inner).length > 0) out[key] = inner;
    }
  }
  return out;
}

/** RFC 7386 apply, for tests and dry runs. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key] ?? null, value);
  }
  return out;
}
