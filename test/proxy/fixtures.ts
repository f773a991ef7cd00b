// Services and Endpoints for the proxy tests, defaulted by the real schemas (as the API stores them).
import { endpointsSchema, serviceSchema } from '../../api/index.js';
import type { Endpoints, EndpointsInput, Service, ServiceInput } from '../../api/index.js';
import type { NodeFacts } from '../../node-agent/index.js';

export const node: NodeFacts = { nodeName: 'worker-1', nodeIPs: ['192.168.77.11'], clusterCIDR: '10.244.0.0/16' };

export function svc(name: string, spec: ServiceInput['spec'], namespace = 'default'): Service {
  return serviceSchema.parse({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec });
}

export function eps(name: string, subsets: EndpointsInput['subsets'], namespace = 'default'): Endpoints {
  return endpointsSchema.parse({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace }, subsets });
}

/** Ready addresses with one unnamed TCP port, as the endpoints controller writes a single-port service. */
export function ready(ips: string[], port: number, name?: string): NonNullable<EndpointsInput['subsets']>[number] {
  return { addresses: ips.map((ip) => ({ ip })), ports: [{ ...(name === undefined ? {} : { name }), port }] };
}
