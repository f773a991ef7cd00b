// Label and annotation maps with Kubernetes' key/value syntax and size rules.
import { invalid, stringMap, stringValue, type Path, type Reporter } from './kit.js';
import { labelValue, qualifiedName } from './names.js';

/** Kubernetes caps all annotations of an object together at 256 KiB. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

function checkKey(key: string, ctx: Reporter, path: Path): boolean {
  const errs = qualifiedName(key);
  for (const e of errs) invalid(ctx, path, key, e);
  return errs.length === 0;
}

/** `metadata.labels`, `nodeSelector`, `matchLabels`: qualified-name keys, label values. */
export const labelMap = () =>
  stringMap<string>((key, value, ctx, path) => {
    const keyOk = checkKey(key, ctx, path);
    const v = stringValue(key, value, ctx, path);
    if (v === undefined) return undefined;
    const errs = labelValue(v);
    for (const e of errs) invalid(ctx, path, v, e);
    return keyOk && errs.length === 0 ? v : undefined;
  });

/** `metadata.annotations`: qualified-name keys, any string values, 256 KiB in total. */
export const annotationMap = () =>
  stringMap<string>(
    (key, value, ctx, path) => {
      const keyOk = checkKey(key, ctx, path);
      const v = stringValue(key, value, ctx, path);
      return keyOk ? v : undefined;
    },
    (map, ctx) => {
      let size = 0;
      for (const [k, v] of Object.entries(map)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
      if (size > TOTAL_ANNOTATION_SIZE_LIMIT)
        ctx.addIssue({ code: 'custom', path: [], message: `Too long: may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`, params: { type: 'FieldValueTooLong' } });
    },
  );
