// A scripted shoal.api.v1.Api server on loopback for the client's transport tests: each test
// supplies only the handlers it needs and sees every request it got. It exists for failures the
// real API server cannot be made to produce on cue (an UNAVAILABLE after a write arrived, a reply
// that never comes); everything about objects is tested against the real server.
import * as grpc from '@grpc/grpc-js';
import type { Test } from 'tap';
import { freePorts } from '../../chaos/free-port.js';
import { ApiService, ClusterService } from '../../../proto/gen/shoal/api/v1/api.js';
import type { ApiServer, ClusterServer } from '../../../proto/gen/shoal/api/v1/api.js';

export interface Received {
  readonly method: string;
  readonly request: unknown;
  readonly metadata: grpc.Metadata;
}

const unimplemented = (name: string) => (_call: unknown, cb?: grpc.sendUnaryData<never>): void => {
  const err = Object.assign(new Error(`${name} not scripted`), { code: grpc.status.UNIMPLEMENTED });
  if (cb) cb(err, null);
};

export class FakeApiServer {
  readonly received: Received[] = [];
  private constructor(
    readonly server: grpc.Server,
    readonly address: string,
  ) {}

  static async start(t: Test, handlers: Partial<ApiServer>, cluster: Partial<ClusterServer> = {}, port = 0): Promise<FakeApiServer> {
    const server = new grpc.Server();
    let fake: FakeApiServer | undefined;
    const record = <F extends (...args: never[]) => unknown>(method: string, f: F | undefined): F => {
      const impl = (f ?? unimplemented(method)) as unknown as (call: { request: unknown; metadata: grpc.Metadata }, ...rest: unknown[]) => unknown;
      return ((call: { request: unknown; metadata: grpc.Metadata }, ...rest: unknown[]) => {
        fake?.received.push({ method, request: call.request, metadata: call.metadata });
        return impl(call, ...rest);
      }) as unknown as F;
    };
    const api: ApiServer = {
      create: record('create', handlers.create),
      get: record('get', handlers.get),
      list: record('list', handlers.list),
      update: record('update', handlers.update),
      patch: record('patch', handlers.patch),
      delete: record('delete', handlers.delete),
      watch: record('watch', handlers.watch),
      discovery: record('discovery', handlers.discovery),
    };
    const cl: ClusterServer = {
      version: record('version', cluster.version),
      componentStatuses: record('componentStatuses', cluster.componentStatuses),
      members: record('members', cluster.members),
    };
    server.addService(ApiService, api);
    server.addService(ClusterService, cl);
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    fake = new FakeApiServer(server, `127.0.0.1:${bound}`);
    t.teardown(() => fake?.kill());
    return fake;
  }

  calls(method: string): Received[] {
    return this.received.filter((r) => r.method === method);
  }

  /** Stops at once, breaking open streams (like a crashed process). */
  kill(): void {
    this.server.forceShutdown();
  }
}

export function grpcError(code: grpc.status, details: string, metadata?: grpc.Metadata): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: metadata ?? new grpc.Metadata() });
}

export const json = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o));

/** An address nothing listens on. */
export async function deadAddress(): Promise<string> {
  const [port] = await freePorts(1);
  return `127.0.0.1:${port}`;
}
