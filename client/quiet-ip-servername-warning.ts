// Node's http2 client, under @grpc/grpc-js, sets the TLS ServerName to the target's host even
// when that is an IP address, and Node then prints DEP0123 on every TLS connection to an
// address such as 10.0.0.11:6443 (nodejs/node#56189, grpc/grpc-node#1919). Certificates are
// still checked against the IP SANs; only the noise goes. Imported first by the programs' mains.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;

process.emitWarning = ((warning: string | Error, ...rest: unknown[]): void => {
  const opts = rest[0];
  const code = typeof opts === 'object' && opts !== null ? (opts as { code?: string }).code : rest[1];
  if (code === 'DEP0123') return;
  emitWarning(warning, ...rest);
}) as typeof process.emitWarning;
