// SelfSubjectAccessReview (authorization.k8s.io/v1), Kubernetes' "may I?": created, never
// stored; the answer is the authorizer's decision for the caller (or, with impersonation, for the
// impersonated user) on spec.resourceAttributes, returned in status. `shoalctl auth can-i` uses it.
import { z } from 'zod';
import { defineKind, kindSchema } from '../../api/define-kind.js';
import type { KubeObject } from '../../api/kind.js';
import { nameColumn } from '../../api/table/cells.js';
import type { Decision, ResourceRequest, UserInfo } from './security/index.js';
import { resourceRequest } from './security/index.js';

const resourceAttributesSchema = z.strictObject({
  verb: z.string().min(1),
  group: z.string().optional(),
  resource: z.string().min(1),
  subresource: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  fieldSelector: z.string().optional(),
});

export const accessReviewSchema = kindSchema(
  { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', namespaced: false, name: () => [] },
  {
    spec: z.strictObject({ resourceAttributes: resourceAttributesSchema }),
    status: z.unknown().optional(),
  },
);

export type SelfSubjectAccessReview = z.output<typeof accessReviewSchema>;

/** Not stored, not in the kind registry: served by the create call alone. */
export const accessReviewKind = defineKind<SelfSubjectAccessReview>({
  kind: 'SelfSubjectAccessReview',
  apiVersion: 'authorization.k8s.io/v1',
  resource: 'selfsubjectaccessreviews',
  namespaced: false,
  hasStatus: false,
  schema: accessReviewSchema,
  columns: [nameColumn],
});

/** The attributes a review asks about. */
export function reviewAttributes(review: SelfSubjectAccessReview): ResourceRequest {
  const a = review.spec.resourceAttributes;
  return resourceRequest({
    verb: a.verb,
    apiGroup: a.group ?? '',
    resource: a.resource,
    subresource: a.subresource ?? '',
    namespace: a.namespace ?? '',
    name: a.name ?? '',
    ...(a.fieldSelector === undefined ? {} : { fieldSelector: a.fieldSelector }),
  });
}

/** The review with its answer (Kubernetes' status fields: allowed, denied, reason). */
export function answerReview(review: SelfSubjectAccessReview, user: UserInfo, decide: (user: UserInfo, attrs: ResourceRequest) => Decision): KubeObject {
  const d = decide(user, reviewAttributes(review));
  return { ...review, metadata: { ...review.metadata, name: '' }, status: { allowed: d.allowed, ...(d.allowed ? {} : { denied: true }), reason: d.reason, user: user.name } } as KubeObject;
}
