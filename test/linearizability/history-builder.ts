// Test helper: hand-written histories with explicit times (integers, as nanoseconds).
import type { KvInput, KvOutput, KvValue, Operation } from './history.js';

export type Result = KvOutput | 'fail' | 'info';

export class HistoryBuilder {
  readonly ops: Operation[] = [];

  add(client: number, key: string, input: KvInput, call: number, ret: number | null, result: Result): this {
    const at = ret === null ? null : BigInt(ret);
    const completion =
      result === 'fail'
        ? { type: 'fail' as const, at: at ?? BigInt(call), error: 'refused' }
        : result === 'info'
          ? { type: 'info' as const, at, error: 'timed out' }
          : { type: 'ok' as const, at: at ?? BigInt(call), output: result };
    this.ops.push({ id: this.ops.length, client, key, input, invokedAt: BigInt(call), completion });
    return this;
  }

  write(client: number, key: string, value: string, call: number, ret: number | null, result: 'ok' | 'fail' | 'info' = 'ok'): this {
    return this.add(client, key, { kind: 'write', value }, call, ret, result === 'ok' ? { kind: 'write' } : result);
  }

  read(client: number, key: string, value: KvValue, call: number, ret: number): this {
    return this.add(client, key, { kind: 'read' }, call, ret, { kind: 'read', value });
  }

  cas(client: number, key: string, expected: KvValue, value: string, call: number, ret: number | null, result: boolean | 'info'): this {
    return this.add(client, key, { kind: 'cas', expected, value }, call, ret, result === 'info' ? 'info' : { kind: 'cas', succeeded: result });
  }

  del(client: number, key: string, call: number, ret: number | null, result: boolean | 'info'): this {
    return this.add(client, key, { kind: 'delete' }, call, ret, result === 'info' ? 'info' : { kind: 'delete', deleted: result });
  }
}
