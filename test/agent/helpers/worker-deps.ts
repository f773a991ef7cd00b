// PodWorker dependencies for FakeRuntime tests: node-a, a silent log, the test backoff.
import pino from 'pino';
import type { Pod, PodStatus } from '../../../api/index.js';
import type { MemoryEventSink } from '../../../node-agent/events.js';
import type { ConfigSource } from '../../../node-agent/pod/config-data.js';
import type { PodWorkerDeps } from '../../../node-agent/pod/pod-worker.js';
import type { FakeRuntime } from '../../../node-agent/runtime/index.js';
import type { ManualClock } from './manual-clock.js';

export function workerDeps(o: { runtime: FakeRuntime; clock: ManualClock; dataDir: string; config: ConfigSource; events: MemoryEventSink; statuses: PodStatus[]; deleted: string[] }): PodWorkerDeps {
  return {
    runtime: o.runtime,
    clock: o.clock,
    log: pino({ level: 'silent' }),
    nodeName: 'node-a',
    dataDir: o.dataDir,
    hostIP: () => '192.0.2.10',
    config: o.config,
    events: o.events,
    writeStatus: async (_p: Pod, s: PodStatus) => void o.statuses.push(s),
    deletePod: async (p: Pod) => void o.deleted.push(p.metadata.name ?? ''),
    backoff: { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 },
  };
}
