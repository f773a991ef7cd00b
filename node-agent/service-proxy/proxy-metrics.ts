// The service proxy's Prometheus metrics (after kube-proxy's sync_proxy_rules_* family).
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export type SyncMode = 'full' | 'partial';

export class ProxyMetrics {
  readonly syncDuration: Histogram<'mode'>;
  readonly lastSync: Gauge;
  readonly rules: Gauge<'table'>;
  readonly servicePorts: Gauge;
  readonly syncErrors: Counter;
  readonly repairs: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.syncDuration = new Histogram({
      name: 'shoal_proxy_sync_duration_seconds',
      help: 'Time to render and apply the service rules, by full or partial sync',
      labelNames: ['mode'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.lastSync = new Gauge({ name: 'shoal_proxy_last_sync_timestamp_seconds', help: 'When the rules were last applied successfully (unix seconds)', registers });
    this.rules = new Gauge({ name: 'shoal_proxy_rules', help: 'Rules in the Shoal chains, by table, as of the last full sync', labelNames: ['table'], registers });
    this.servicePorts = new Gauge({ name: 'shoal_proxy_service_ports', help: 'Service ports programmed (with or without endpoints)', registers });
    this.syncErrors = new Counter({ name: 'shoal_proxy_sync_errors_total', help: 'Syncs that failed (the next one is a full sync)', registers });
    this.repairs = new Counter({ name: 'shoal_proxy_canary_repairs_total', help: 'Full resyncs forced because the canary or a jump rule was gone', registers });
  }
}
