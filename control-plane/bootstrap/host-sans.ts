// The names and addresses a control-plane host's serving certificates carry: its name, its
// advertise and listen addresses (a wildcard listen address is no name), and localhost/127.0.0.1
// (those two issueServing always adds). Pure.
import { isIP } from 'node:net';
import type { ControlPlaneHost } from '../pki/index.js';
import type { HostOptions } from './host-options.js';

const WILDCARDS = new Set(['0.0.0.0', '::']);
const ALWAYS = { dns: 'localhost', ip: '127.0.0.1' } as const;

export function hostSans(o: Pick<HostOptions, 'name' | 'advertiseAddress' | 'listenAddress'>): ControlPlaneHost {
  const ips = [o.advertiseAddress, o.listenAddress].filter((a) => isIP(a) !== 0 && !WILDCARDS.has(a) && a !== ALWAYS.ip);
  return { name: o.name, dnsNames: [], ipAddresses: [...new Set(ips)] };
}

/** Every SAN the host's serving certificates end up with (for messages and tests). */
export function allSans(o: Pick<HostOptions, 'name' | 'advertiseAddress' | 'listenAddress'>): { dnsNames: string[]; ipAddresses: string[] } {
  const h = hostSans(o);
  return { dnsNames: [...new Set([h.name, ...h.dnsNames, ALWAYS.dns])], ipAddresses: [...new Set([...h.ipAddresses, ALWAYS.ip])] };
}
