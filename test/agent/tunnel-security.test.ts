// Node tunnel - who may connect (the node itself or an admin), the authorizer's say over logs
// and exec, and an agent that reconnects after its API server restarted.
import { Metadata, credentials } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import pino from 'pino';
import t from 'tap';
import { ApiError, Code } from '../../control-plane/apiserver/index.js';
import type { Authenticator } from '../../control-plane/apiserver/pipeline/authentication.js';
import type { Authorizer } from '../../control-plane/apiserver/pipeline/authorization.js';
import { NodeTunnelClient } from '../../proto/gen/shoal/api/v1/tunnel.js';
import type { ServerFrame } from '../../proto/gen/shoal/api/v1/tunnel.js';
import { ShoalClient, insecureCredentials, systemClock } from '../../client/index.js';
import { AGENT_VERSION, FakeRuntime, NodeTunnels } from '../../node-agent/index.js';
import { ApiServers } from '../client/helpers/api-servers.js';
import { until } from './helpers/agent-rig.js';
import { tunnelRig } from './helpers/tunnel-rig.js';

// "Bearer node-<n>" is node n, "Bearer admin" an admin, "Bearer bob" a plain user; none: refused.
const tokens: Authenticator = {
  authenticate: async (input) => {
    const token = (input.metadata.authorization?.[0] ?? '').replace(/^Bearer /, '');
    if (token.startsWith('node-')) return { name: `system:node:${token.slice(5)}`, groups: ['system:nodes', 'system:authenticated'] };
    if (token === 'admin') return { name: 'admin', groups: ['system:masters'] };
    if (token === 'bob') return { name: 'bob', groups: ['system:authenticated'] };
    throw new ApiError(Code.UNAUTHENTICATED, 'no credentials');
  },
};

/** Opens a tunnel as `token` for `node`; resolves with the welcome or the refusal's status. */
function connectAs(server: string, token: string, node: string): Promise<{ welcomed: boolean; code?: number; details?: string }> {
  const client = new NodeTunnelClient(server, credentials.createInsecure());
  const md = new Metadata();
  if (token !== '') md.set('authorization', `Bearer ${token}`);
  const call = client.connect(md);
  return new Promise((resolve) => {
    const done = (r: { welcomed: boolean; code?: number; details?: string }): void => {
      call.cancel();
      client.close();
      resolve(r);
    };
    call.on('data', (f: ServerFrame) => f.welcome !== undefined && done({ welcomed: true }));
    call.on('error', (e: ServiceError) => done({ welcomed: false, code: e.code, details: e.details }));
    call.write({ streamId: 0, hello: { nodeName: node, agentVersion: 'test' } });
  });
}

t.test('tunnel - only the node itself (or an admin) may open its tunnel', async (t) => {
  const servers = await ApiServers.start(t, 1, { authenticator: tokens });
  const s = servers.addresses[0]!;
  t.same(await connectAs(s, 'node-a', 'a'), { welcomed: true }, 'system:node:a for node a');
  t.same(await connectAs(s, 'admin', 'a'), { welcomed: true }, 'an admin');
  t.match(await connectAs(s, 'node-b', 'a'), { welcomed: false, code: Code.PERMISSION_DENIED, details: /user "system:node:b" may not open the tunnel of node "a"/ });
  t.match(await connectAs(s, 'bob', 'a'), { welcomed: false, code: Code.PERMISSION_DENIED });
  t.match(await connectAs(s, '', 'a'), { welcomed: false, code: Code.UNAUTHENTICATED });
  t.match(await connectAs(s, 'node-a', ''), { welcomed: false, code: Code.INVALID_ARGUMENT, details: /node_name is required/ });
});

t.test('tunnel - logs and exec go through the authorizer (pods/log, pods/exec)', async (t) => {
  const seen: string[] = [];
  const noExec: Authorizer = {
    authorize: async (a) => {
      seen.push(`${a.verb} ${a.resource}/${a.subresource} ${a.namespace}/${a.name}`);
      return a.subresource === 'exec' ? { allowed: false, reason: 'no exec here' } : { allowed: true };
    },
  };
  const r = await tunnelRig(t, { serverOptions: { authorizer: noExec } });
  await r.runPod(t, 'web', ['app']);
  await r.client.streams.podLogs({ namespace: 'default', name: 'web' }, () => undefined);
  await t.rejects(r.client.streams.podExec({ namespace: 'default', name: 'web', command: ['exit', '0'] }, () => undefined, () => undefined), {
    code: Code.PERMISSION_DENIED,
    message: /pods\/exec "web" is forbidden: User "system:anonymous" cannot create resource "pods\/exec" in the namespace "default": no exec here/,
  });
  t.ok(seen.includes('get pods/log default/web'), 'logs authorized as get pods/log');
  t.ok(seen.includes('create pods/exec default/web'), 'exec authorized as create pods/exec');
});

t.test('tunnel - the agent reconnects after its API server restarts', async (t) => {
  const servers = await ApiServers.start(t, 1);
  const address = servers.addresses[0]!;
  const tunnels = new NodeTunnels({
    servers: [address],
    credentials: insecureCredentials,
    nodeName: 'n1',
    agentVersion: AGENT_VERSION,
    runtime: new FakeRuntime({ clock: systemClock }),
    log: pino({ level: 'silent' }),
    backoff: { initialMs: 50, factor: 2, maxMs: 500, jitter: 0.5 },
  }).start();
  t.teardown(() => tunnels.stop());
  await until(t, 'first connection', () => tunnels.connected().length === 1, 30_000);
  await servers.stop(address);
  await until(t, 'tunnel seen down', () => tunnels.connected().length === 0, 30_000);
  await servers.startOne(address);
  await until(t, 'reconnected', () => tunnels.connected().length === 1 && tunnels.connectors[0]!.connects >= 2, 30_000);
  const client = new ShoalClient({ servers: [address], credentials: insecureCredentials });
  t.teardown(() => client.close());
  const res = await client.streams.imageLoad({ node: 'n1', open: async function* () { yield Buffer.from('tar'); } });
  t.equal(res.images.length, 1, 'the new tunnel serves');
});
