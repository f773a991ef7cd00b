// URLs in etcd's flag syntax: "http://127.0.0.1:2380", comma-separated lists, and
// --initial-cluster "name=url,name=url". http:// is plain HTTP/2; https:// is TLS, and config.ts
// refuses an https URL that has no certificate to serve or dial it with (never a silent downgrade).

export class UrlError extends Error {
  override readonly name = 'UrlError';
}

export type UrlScheme = 'http' | 'https';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Parses one http(s) URL with an explicit port; returns its canonical form, scheme and host:port. */
export function parseUrl(raw: string): { url: string; scheme: UrlScheme; hostPort: HostPort } {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new UrlError(`"${raw}" is not a URL (want e.g. http://127.0.0.1:2379)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UrlError(`"${raw}": only http:// and https:// URLs are supported`);
  const scheme: UrlScheme = u.protocol === 'https:' ? 'https' : 'http';
  if (u.port === '') throw new UrlError(`"${raw}": the port is required`);
  if ((u.pathname !== '/' && u.pathname !== '') || u.search !== '' || u.hash !== '' || u.username !== '') {
    throw new UrlError(`"${raw}": a URL here has only scheme, host and port`);
  }
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { url: `${scheme}://${u.host}`, scheme, hostPort: { host, port: Number(u.port) } };
}

export function parseUrlList(raw: string): string[] {
  const urls = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => parseUrl(s).url);
  if (urls.length === 0) throw new UrlError('an empty URL list');
  return urls;
}

/** "host:port" for gRPC (IPv6 hosts in brackets). */
export function hostPortString(hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

export function grpcAddressOf(url: string): string {
  return hostPortString(parseUrl(url).hostPort);
}

export function schemeOf(url: string): UrlScheme {
  return parseUrl(url).scheme;
}

/** --initial-cluster: "a=http://h:1,b=http://h:2"; a name may repeat to give more URLs. */
export function parseInitialCluster(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of raw.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UrlError(`--initial-cluster: "${p}" is not name=url`);
    const name = p.slice(0, eq);
    const url = parseUrl(p.slice(eq + 1)).url;
    const urls = out.get(name) ?? [];
    if (!urls.includes(url)) urls.push(url);
    out.set(name, urls);
  }
  if (out.size === 0) throw new UrlError('--initial-cluster is empty');
  return out;
}
