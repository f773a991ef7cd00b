// Endpoints (v1): the ready and not-ready pod addresses behind a Service, written by the
// endpoints controller and read by every agent's proxy.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import { crossCheck, invalid, obj, oneOf, port, requiredString } from '../schemas/kit.js';
import { PROTOCOLS } from '../schemas/container.js';
import { isIPAddress } from '../schemas/ip.js';
import { objectReferenceSchema } from '../schemas/object-reference.js';
import { ageColumn, column, nameColumn } from '../table/cells.js';

const address = crossCheck(
  obj({ ip: requiredString(), hostname: z.string().optional(), nodeName: z.string().optional(), targetRef: objectReferenceSchema.optional() }),
  ['ip'],
  (a, ctx) => {
    if (!isIPAddress(a.ip)) invalid(ctx, ['ip'], a.ip, 'must be a valid IP address');
  },
);

export const endpointsSchema = kindSchema(
  { apiVersion: 'v1', kind: 'Endpoints', namespaced: true },
  {
    subsets: z
      .array(
        obj({
          addresses: z.array(address).optional(),
          notReadyAddresses: z.array(address).optional(),
          ports: z.array(obj({ name: z.string().optional(), port: port(), protocol: oneOf(PROTOCOLS).default('TCP') })).optional(),
        }),
      )
      .optional(),
  },
);

export type Endpoints = z.output<typeof endpointsSchema>;
export type EndpointsInput = z.input<typeof endpointsSchema>;

/** kubectl's ENDPOINTS cell: up to three `ip:port`, then ` + N more...`. */
export function endpointsText(e: Endpoints): string {
  const all: string[] = [];
  for (const s of e.subsets ?? []) {
    const ports = s.ports && s.ports.length > 0 ? s.ports.map((p) => `:${p.port}`) : [''];
    for (const a of s.addresses ?? []) for (const p of ports) all.push(`${a.ip}${p}`);
  }
  if (all.length === 0) return '<none>';
  const shown = all.slice(0, 3).join(',');
  return all.length > 3 ? `${shown} + ${all.length - 3} more...` : shown;
}

export const endpointsKind = defineKind<Endpoints>({
  kind: 'Endpoints',
  apiVersion: 'v1',
  resource: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  hasStatus: false,
  schema: endpointsSchema,
  columns: [nameColumn, column<Endpoints>('ENDPOINTS', endpointsText), ageColumn],
});
