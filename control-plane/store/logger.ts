// Logs: pino, JSON lines on stderr. The Raft library takes a narrow NodeLogger; this adapts.
import pino from 'pino';
import type { Logger } from 'pino';
import type { NodeLogger } from '../../raft/index.js';

export type { Logger } from 'pino';

export function createLogger(level: string, bindings: Record<string, unknown>): Logger {
  return pino({ level, base: { ...bindings }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));
}

export function raftLogger(log: Logger): NodeLogger {
  const l = log.child({ component: 'raft' });
  return { info: (m) => l.info(m), warn: (m) => l.warn(m), error: (m) => l.error(m) };
}
