// A reference to another object (events' involvedObject, endpoints' targetRef, CronJob's active jobs).
import { z } from 'zod';
import { obj } from './kit.js';

export const objectReferenceSchema = obj({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  fieldPath: z.string().optional(),
});

export type ObjectReference = z.output<typeof objectReferenceSchema>;
