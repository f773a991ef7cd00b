// Liveness, readiness and startup probes: exactly one handler (exec, httpGet, tcpSocket) and the
// timing fields, defaulted as Kubernetes (timeout 1s, period 10s, success 1, failure 3).
import { z } from 'zod';
import { crossCheck, forbidden, int32, intOrString, invalid, obj, oneOf, required, requiredString } from './kit.js';
import { portName } from './names.js';

/** A port given by number (1-65535) or by the container port's name. */
export function checkPortRef(port: number | string, ctx: Parameters<typeof invalid>[0], path: readonly (string | number)[]): void {
  if (typeof port === 'number') {
    if (port < 1 || port > 65535) invalid(ctx, path, port, 'must be between 1 and 65535, inclusive');
  } else for (const e of portName(port)) invalid(ctx, path, port, e);
}

const httpGet = crossCheck(
  obj({
    path: z.string().optional(),
    port: intOrString(),
    host: z.string().optional(),
    scheme: oneOf(['HTTP', 'HTTPS']).default('HTTP'),
    httpHeaders: z.array(obj({ name: requiredString(), value: z.string() })).optional(),
  }),
  ['port'],
  (h, ctx) => checkPortRef(h.port, ctx, ['port']),
);

const tcpSocket = crossCheck(obj({ port: intOrString(), host: z.string().optional() }), ['port'], (h, ctx) => checkPortRef(h.port, ctx, ['port']));

const HANDLERS = ['exec', 'httpGet', 'tcpSocket'] as const;

export const probeSchema = crossCheck(
  obj({
    exec: obj({ command: z.array(z.string()).min(1) }).optional(),
    httpGet: httpGet.optional(),
    tcpSocket: tcpSocket.optional(),
    initialDelaySeconds: int32(0).default(0),
    timeoutSeconds: int32(1).default(1),
    periodSeconds: int32(1).default(10),
    successThreshold: int32(1).default(1),
    failureThreshold: int32(1).default(3),
  }),
  [],
  (p, ctx) => {
    const set = HANDLERS.filter((h) => p[h] !== undefined);
    if (set.length === 0) required(ctx, [], 'must specify a handler type');
    for (const h of set.slice(1)) forbidden(ctx, [h], 'may not specify more than 1 handler type');
  },
);

export type Probe = z.output<typeof probeSchema>;
