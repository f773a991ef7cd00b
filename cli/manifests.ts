// Reading `-f` arguments: files, directories (-R recurses), "-" for stdin; multi-document YAML
// and JSON (a JSON file is one document; `kind: List` documents expand to their items).
// Every document is checked for the fields shoalctl needs before anything is sent.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../api/kind.js';
import { ManifestError } from './errors.js';

export interface Manifest {
  /** "web.yaml", "web.yaml#2" for the second document. */
  readonly source: string;
  readonly object: KubeObject;
}

export interface ParsedManifests {
  readonly manifests: Manifest[];
  readonly errors: ManifestError[];
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Parses one file's text into its documents; bad documents become errors, good ones still count. */
export function parseManifestText(text: string, file: string): ParsedManifests {
  const manifests: Manifest[] = [];
  const errors: ManifestError[] = [];
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const many = list.length > 1;
  list.forEach((doc, i) => {
    const source = many ? `${file}#${i + 1}` : file;
    if (doc.errors.length > 0) {
      errors.push(new ManifestError(source, `invalid YAML: ${(doc.errors[0]?.message ?? 'parse error').split('\n')[0]}`));
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return; // empty document ("---" at the end)
    for (const [j, item] of expandList(value).entries()) {
      const itemSource = isList(value) ? `${source} items[${j}]` : source;
      const checked = checkObject(item);
      if (typeof checked === 'string') errors.push(new ManifestError(itemSource, checked));
      else manifests.push({ source: itemSource, object: checked });
    }
  });
  return { manifests, errors };
}

function isList(value: unknown): value is { items: unknown[] } {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'List' && Array.isArray((value as { items?: unknown }).items);
}

function expandList(value: unknown): unknown[] {
  return isList(value) ? value.items : [value];
}

/** The object, or what is wrong with it. */
export function checkObject(value: unknown): KubeObject | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const o = value as Record<string, unknown>;
  if (typeof o.apiVersion !== 'string' || o.apiVersion === '') return "missing apiVersion (e.g. 'apiVersion: v1')";
  if (typeof o.kind !== 'string' || o.kind === '') return "missing kind (e.g. 'kind: Pod')";
  if (typeof o.metadata !== 'object' || o.metadata === null || Array.isArray(o.metadata)) return 'missing metadata';
  return value as KubeObject;
}

/** Files a path stands for: itself, or a directory's manifest files (sorted; -R descends). */
export function manifestFiles(path: string, recursive: boolean): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new ManifestError(path, 'no such file or directory');
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = join(path, entry.name);
      if (entry.isDirectory()) return recursive ? manifestFiles(full, true) : [];
      return MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase()) ? [full] : [];
    });
}

/** Reads every `-f` argument; "-" reads stdin (given as text by the caller). */
export function readManifests(paths: readonly string[], recursive: boolean, stdin: () => string): ParsedManifests {
  const manifests: Manifest[] = [];
  const errors: ManifestError[] = [];
  for (const path of paths) {
    const files = path === '-' ? ['-'] : manifestFiles(path, recursive);
    for (const file of files) {
      const text = file === '-' ? stdin() : readFileSync(file, 'utf8');
      const parsed = parseManifestText(text, file === '-' ? '<stdin>' : file);
      manifests.push(...parsed.manifests);
      errors.push(...parsed.errors);
    }
  }
  return { manifests, errors };
}
