// Human-readable renderings of operations and checker verdicts, for logs and test failures.
import type { CheckResult, Explanation } from './checker.js';
import type { KvValue, Operation } from './history.js';

const show = (v: KvValue): string => (v === null ? 'absent' : JSON.stringify(v));

function formatTime(t: bigint | null, origin: bigint): string {
  return t === null ? '∞' : `${((Number(t - origin)) / 1e6).toFixed(3)}ms`;
}

/** e.g. `#12 c3 cas("k1", "a" → "b") = ok [1.000ms, 2.500ms]` */
export function describeOperation(op: Operation, origin = 0n): string {
  const i = op.input;
  let call: string;
  switch (i.kind) {
    case 'read':
      call = `read(${JSON.stringify(op.key)})`;
      break;
    case 'write':
      call = `write(${JSON.stringify(op.key)}, ${show(i.value)})`;
      break;
    case 'cas':
      call = `cas(${JSON.stringify(op.key)}, ${show(i.expected)} → ${show(i.value)})`;
      break;
    case 'delete':
      call = `delete(${JSON.stringify(op.key)})`;
      break;
  }
  const c = op.completion;
  let result: string;
  if (c.type === 'ok') {
    const o = c.output;
    result = o.kind === 'read' ? show(o.value) : o.kind === 'cas' ? (o.succeeded ? 'ok' : 'failed') : o.kind === 'delete' ? (o.deleted ? 'deleted' : 'not found') : 'ok';
  } else {
    result = `${c.type} (${c.error})`;
  }
  const end = c.type === 'ok' ? c.at : null;
  return `#${op.id} c${op.client} ${call} = ${result} [${formatTime(op.invokedAt, origin)}, ${formatTime(end, origin)}]`;
}

export function describeExplanation(key: string, e: Explanation, origin = 0n, tail = 8): string {
  const lines: string[] = [`key ${JSON.stringify(key)} is not linearizable.`];
  const skipped = Math.max(0, e.linearized.length - tail);
  lines.push(`Longest partial linearization: ${e.linearized.length} operations${skipped > 0 ? `, last ${tail}` : ''}:`);
  for (const op of e.linearized.slice(skipped)) lines.push(`  ${describeOperation(op, origin)}`);
  lines.push(`Register after it: ${show(e.valueAfter)}`);
  lines.push(`Then ${describeOperation(e.blocking, origin)} returned without any order placing it. Candidates:`);
  for (const u of e.unplaceable) lines.push(`  ${describeOperation(u.op, origin)}: ${u.reason}`);
  return lines.join('\n');
}

export function describeResult(r: CheckResult, origin = 0n): string {
  switch (r.verdict) {
    case 'linearizable':
      return `linearizable (${r.keys.length} keys)`;
    case 'violation':
      return describeExplanation(r.key, r.explanation, origin);
    case 'unknown':
      return `unknown for key ${JSON.stringify(r.key)}: ${r.reason}`;
  }
}
