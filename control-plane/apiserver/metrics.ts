// The API server's Prometheus metrics (prom-client, one registry per server: no global state),
// served on /metrics of its HTTP port.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'shoal_apiserver_requests_total',
    help: 'API requests by verb, resource and gRPC status code',
    labelNames: ['verb', 'resource', 'code'] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'shoal_apiserver_request_duration_seconds',
    help: 'API request latency by verb and resource (watches: until the stream is set up)',
    labelNames: ['verb', 'resource'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly watchers = new Gauge({
    name: 'shoal_apiserver_watchers',
    help: 'Open API watch streams by resource',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });
  readonly storeDuration = new Histogram({
    name: 'shoal_apiserver_store_request_duration_seconds',
    help: 'Latency of the API server\'s requests to the store by operation',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(defaultMetrics: boolean) {
    // Process metrics once per process: the in-process test servers skip them.
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
