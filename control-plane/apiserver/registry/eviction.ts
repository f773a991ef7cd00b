// The body of a pods/eviction create (Kubernetes' Eviction API, policy/v1): which pod, and the
// delete options to honour. An eviction is a delete that goes through the pod's own grace period
// (or deleteOptions.gracePeriodSeconds). PodDisruptionBudgets are not in Shoal yet, so no
// eviction is ever refused for disruption reasons (Kubernetes would answer 429 there).
import type { RequestAttributes } from '../request.js';
import { badRequest } from '../errors.js';
import { parseJson } from './codec.js';

export interface EvictionRequest {
  readonly podName: string;
  readonly gracePeriodSeconds: number | undefined;
}

const API_VERSIONS: readonly unknown[] = [undefined, 'policy/v1', 'policy/v1beta1'];

export function parseEviction(attrs: RequestAttributes, bodyBytes: Uint8Array): EvictionRequest {
  const body = parseJson(bodyBytes, 'the eviction');
  if (body.kind !== undefined && body.kind !== 'Eviction') throw badRequest(`the body of pods/eviction must be an Eviction, got kind ${JSON.stringify(body.kind)}`);
  if (!API_VERSIONS.includes(body.apiVersion)) throw badRequest(`the body of pods/eviction must be policy/v1 Eviction, got apiVersion ${JSON.stringify(body.apiVersion)}`);
  const meta = (body.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const podName = typeof meta.name === 'string' && meta.name !== '' ? meta.name : attrs.name;
  if (podName === '') throw badRequest('the eviction names no pod: set metadata.name or the request name');
  if (attrs.name !== '' && podName !== attrs.name) throw badRequest(`the name of the eviction (${podName}) does not match the pod name on the request (${attrs.name})`);
  if (typeof meta.namespace === 'string' && meta.namespace !== '' && meta.namespace !== attrs.namespace) {
    throw badRequest(`the namespace of the eviction (${meta.namespace}) does not match the namespace sent on the request (${attrs.namespace})`);
  }
  const options = (body.deleteOptions ?? {}) as { gracePeriodSeconds?: unknown };
  const grace = options.gracePeriodSeconds;
  if (grace !== undefined && grace !== null && !(typeof grace === 'number' && Number.isInteger(grace) && grace >= 0)) {
    throw badRequest(`deleteOptions.gracePeriodSeconds: Invalid value: ${JSON.stringify(grace)}: must be a whole number >= 0`);
  }
  return { podName, gracePeriodSeconds: typeof grace === 'number' ? grace : undefined };
}
