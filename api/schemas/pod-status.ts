// What the agent reports about a pod: phase, conditions, addresses, container states.
import { z } from 'zod';
import { conditionSchema } from './conditions.js';
import { int32, obj, oneOf, requiredString, timestamp } from './kit.js';

export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
export type PodPhase = (typeof POD_PHASES)[number];

export const containerStateSchema = obj({
  waiting: obj({ reason: z.string().optional(), message: z.string().optional() }).optional(),
  running: obj({ startedAt: timestamp().optional() }).optional(),
  terminated: obj({
    exitCode: int32(),
    signal: int32().optional(),
    reason: z.string().optional(),
    message: z.string().optional(),
    startedAt: timestamp().optional(),
    finishedAt: timestamp().optional(),
    containerID: z.string().optional(),
  }).optional(),
});

export const containerStatusSchema = obj({
  name: requiredString(),
  state: containerStateSchema.optional(),
  lastState: containerStateSchema.optional(),
  ready: z.boolean().default(false),
  restartCount: int32(0).default(0),
  image: z.string().optional(),
  imageID: z.string().optional(),
  containerID: z.string().optional(),
  started: z.boolean().optional(),
});

const ip = obj({ ip: requiredString() });

export const podStatusSchema = obj({
  phase: oneOf(POD_PHASES).optional(),
  conditions: z.array(conditionSchema).optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  hostIP: z.string().optional(),
  hostIPs: z.array(ip).optional(),
  podIP: z.string().optional(),
  podIPs: z.array(ip).optional(),
  nominatedNodeName: z.string().optional(),
  startTime: timestamp().optional(),
  qosClass: oneOf(['Guaranteed', 'Burstable', 'BestEffort']).optional(),
  initContainerStatuses: z.array(containerStatusSchema).optional(),
  containerStatuses: z.array(containerStatusSchema).optional(),
});

export type PodStatus = z.output<typeof podStatusSchema>;
export type ContainerStatus = z.output<typeof containerStatusSchema>;
