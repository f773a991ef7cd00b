// The scheduler: a framework of small plugins (filter, score), a pure scheduling cycle, the
// queue, the informer-fed cache and the Scheduler that wires them to the API.
export { Scheduler } from './scheduler.js';
export type { SchedulerOptions, SchedulerStats } from './scheduler.js';
export { DEFAULT_CONFIG, schedulerConfig, SchedulerConfigError } from './config.js';
export type { SchedulerConfig } from './config.js';
export { schedulePod, fitErrorMessage, scoreNodes, pickBest, NO_NODES_MESSAGE } from './cycle.js';
export type { CycleInput, Decision } from './cycle.js';
export { SchedulerCache, CacheError } from './cache.js';
export { SchedulingQueue, QueueError, backoffFor } from './queue.js';
export type { QueuedPod, QueueLocation, QueueOptions } from './queue.js';
export { FailureRecorder, FAILED_SCHEDULING, UNSCHEDULABLE, SCHEDULED, podEvent, withPodScheduledFalse } from './failure-recorder.js';
export { NodeInfo } from './framework/node-info.js';
export { podInfo, hostPortsOf } from './framework/pod-info.js';
export type { PodInfo } from './framework/pod-info.js';
export { makeProfile, numFeasibleNodesToFind, ProfileError } from './framework/profile.js';
export type { Profile } from './framework/profile.js';
export { MAX_NODE_SCORE, normalizeByMax, normalizeMinMax } from './framework/plugin.js';
export type { CycleState, FilterPlugin, NodeScore, Plugin, PreFilterPlugin, ScorePlugin, Snapshot } from './framework/plugin.js';
export { SUCCESS, SKIP, unschedulable } from './framework/status.js';
export type { Status } from './framework/status.js';
export { nodeAllocatable, podRequests } from './framework/resources.js';
export type { Resources } from './framework/resources.js';
export { DEFAULT_PLUGINS, DEFAULT_SCORE_WEIGHTS } from './plugins/index.js';
export { LOCAL_CLAIMS_ANNOTATION } from './plugins/volume-binding.js';
export { ZONE_LABEL } from './plugins/selector-spread.js';
