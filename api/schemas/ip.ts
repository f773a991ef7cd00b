// IP address syntax (no DNS lookups, no network): dotted IPv4 and RFC 4291 IPv6 text.
import { isIP } from 'node:net';

export const isIPAddress = (s: string): boolean => isIP(s) !== 0;
