import { renderRuleset, collectServicePorts } from './node-agent/proxy/index.js';
import { serviceSchema, endpointsSchema } from './api/index.js';
const n = Number(process.argv[2] ?? 10000);
const services = [], endpoints = [];
for (let i = 0; i < n; i++) {
  const ip = `10.96.${(i >> 8) & 255}.${i & 255}`;
  services.push(serviceSchema.parse({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: 'default' }, spec: { clusterIP: ip, ports: [{ port: 80 }] } }));
  endpoints.push(endpointsSchema.parse({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: `s${i}`, namespace: 'default' }, subsets: [{ addresses: [1,2,3,4,5].map((k) => ({ ip: `10.244.${k}.${i % 250 + 1}` })), ports: [{ port: 80 }] }] }));
}
const node = { nodeName: 'n', nodeIPs: ['10.77.0.21'], clusterCIDR: '10.244.0.0/16' };
const r = renderRuleset({ services, endpoints, node });
for (let k = 0; k < 3; k++) {
let t0 = performance.now();
collectServicePorts(services, endpoints);
const c = performance.now() - t0;
t0 = performance.now();
renderRuleset({ services, endpoints, node, existing: r.chains, onlyServices: new Set(['default/s5']) });
console.log('collect', c.toFixed(0), 'partial', (performance.now() - t0).toFixed(0));
}
