// The client configs (client/config.ts format) a control-plane host writes: the admin's
// (~/.shoal/config: every API server, the CA, the admin certificate) and the control loops'
// (this host's API server, their own certificates). Pure; paths are absolute so the files can
// be moved. Without API security (an API server that does not speak TLS yet) no credentials.
import type { ShoalConfig } from '../../client/config.js';
import type { PairPaths } from '../pki/index.js';

export function clientConfig(servers: readonly string[], caCert: string, identity: PairPaths, secure: boolean): ShoalConfig {
  return {
    servers: [...servers],
    namespace: 'default',
    credentials: secure ? { ca: caCert, cert: identity.cert, key: identity.key } : {},
  };
}
