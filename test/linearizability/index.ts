// Linearizability checking for key-value histories: record with HistoryRecorder, check with
// checkHistory, print with describeResult.
export type { Completion, KvInput, KvOutput, KvValue, Operation, OpKind } from './history.js';
export { HistoryRecorder, PendingOperation, hrtimeClock } from './history-recorder.js';
export type { MonotonicClock } from './history-recorder.js';
export { checkHistory, partitionByKey } from './checker.js';
export type { CheckOptions, CheckResult, Explanation, KeyStats, Unplaceable } from './checker.js';
export { describeExplanation, describeOperation, describeResult } from './describe.js';
