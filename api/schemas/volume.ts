// Pod volumes Shoal's agent can provide: emptyDir, hostPath, configMap, secret and
// persistentVolumeClaim (StatefulSet claims). Exactly one source per volume.
import { z } from 'zod';
import { crossCheck, forbidden, int32, invalid, obj, oneOf, required, requiredString } from './kit.js';
import { configMapKey, dns1123Label } from './names.js';
import { quantity } from './quantity.js';

const keyToPath = crossCheck(obj({ key: requiredString(), path: requiredString(), mode: int32(0, 0o777).optional() }), ['key', 'path'], (k, ctx) => {
  for (const e of configMapKey(k.key)) invalid(ctx, ['key'], k.key, e);
  if (k.path.startsWith('/')) invalid(ctx, ['path'], k.path, 'must be a relative path');
  if (k.path.split('/').includes('..')) invalid(ctx, ['path'], k.path, "must not contain '..'");
});

const SOURCES = ['emptyDir', 'hostPath', 'configMap', 'secret', 'persistentVolumeClaim'] as const;

export const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'] as const;

export const volumeSchema = crossCheck(
  obj({
    name: requiredString(),
    emptyDir: obj({ medium: oneOf(['', 'Memory']).optional(), sizeLimit: quantity().optional() }).optional(),
    hostPath: obj({ path: requiredString(), type: oneOf(HOST_PATH_TYPES).optional() }).optional(),
    configMap: obj({
      name: requiredString(),
      items: z.array(keyToPath).optional(),
      defaultMode: int32(0, 0o777).default(0o644),
      optional: z.boolean().optional(),
    }).optional(),
    secret: obj({
      secretName: requiredString(),
      items: z.array(keyToPath).optional(),
      defaultMode: int32(0, 0o777).default(0o644),
      optional: z.boolean().optional(),
    }).optional(),
    persistentVolumeClaim: obj({ claimName: requiredString(), readOnly: z.boolean().optional() }).optional(),
  }),
  ['name'],
  (v, ctx) => {
    for (const e of dns1123Label(v.name)) invalid(ctx, ['name'], v.name, e);
    const set = SOURCES.filter((s) => v[s] !== undefined);
    if (set.length === 0) required(ctx, [], `must specify a volume type (one of: ${SOURCES.join(', ')})`);
    for (const s of set.slice(1)) forbidden(ctx, [s], 'may not specify more than 1 volume type');
  },
);

export type Volume = z.output<typeof volumeSchema>;
