// grpc.health.v1.Health: one serving status per service name ("" = the whole server), changed
// by the API server as it starts (NOT_SERVING until the store answers and the watch caches have
// synced) and stops; Watch streams every change.
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { sendUnaryData, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { HealthCheckResponse_ServingStatus as Serving } from '../../proto/gen/grpc/health/v1/health.js';
import type { HealthCheckRequest, HealthCheckResponse, HealthServer } from '../../proto/gen/grpc/health/v1/health.js';

export type ServingStatus = (typeof Serving)[keyof typeof Serving];

export class HealthService {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Set<{ service: string; call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse> }>();

  constructor(services: readonly string[]) {
    for (const s of ['', ...services]) this.statuses.set(s, Serving.NOT_SERVING);
  }

  setAll(serving: boolean): void {
    for (const s of this.statuses.keys()) this.set(s, serving ? Serving.SERVING : Serving.NOT_SERVING);
  }

  set(service: string, status: ServingStatus): void {
    if (this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    for (const w of this.watchers) if (w.service === service) w.call.write({ status });
  }

  /** Ends every Watch stream (on shutdown). */
  close(): void {
    for (const w of this.watchers) w.call.end();
    this.watchers.clear();
  }

  readonly implementation: HealthServer = {
    check: (call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: sendUnaryData<HealthCheckResponse>) => {
      const status = this.statuses.get(call.request.service);
      if (status === undefined) callback({ code: GrpcStatus.NOT_FOUND, details: `unknown service "${call.request.service}"` });
      else callback(null, { status });
    },
    watch: (call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
      const w = { service: call.request.service, call };
      this.watchers.add(w);
      call.write({ status: this.statuses.get(w.service) ?? Serving.SERVICE_UNKNOWN });
      call.on('cancelled', () => this.watchers.delete(w));
      call.on('close', () => this.watchers.delete(w));
    },
  };
}
