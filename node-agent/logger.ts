// The agent logs through pino (JSON lines); code takes this narrow shape so tests can pass
// pino({ level: 'silent' }).
import type { Logger as PinoLogger } from 'pino';

export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug'>;
