// Status conditions, shared by every kind that reports them.
import { z } from 'zod';
import { obj, oneOf, requiredString, timestamp } from './kit.js';

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;

/** A condition as pods, nodes and workloads report it. */
export const conditionSchema = obj({
  type: requiredString(),
  status: oneOf(CONDITION_STATUSES),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastProbeTime: timestamp().optional(),
  lastHeartbeatTime: timestamp().optional(),
  lastTransitionTime: timestamp().optional(),
  lastUpdateTime: timestamp().optional(),
  observedGeneration: z.int().min(0).optional(),
});

export type Condition = z.output<typeof conditionSchema>;
