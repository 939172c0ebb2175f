/**
 * @module server/registry/resources/reviews
 * Layer: registry (kind declarations). The create-only review kinds kubectl uses: access reviews answer
 * "allowed" (kubemu has no authorization), SelfSubjectReview names the single kubemu user. Nothing is stored.
 */
import type { SelfSubjectReview, TokenReview } from 'kubernetes-types/authentication/v1.js';
import type { LocalSubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview } from 'kubernetes-types/authorization/v1.js';
import type { Kube } from '../../api/object.js';
import { rfc3339 } from '../../api/time.js';
import { defineResource } from '../resource.js';

export const KUBEMU_USER = { username: 'kubemu-admin', groups: ['system:masters', 'system:authenticated'] };

const allowed = { allowed: true, reason: 'kubemu does not enforce authorization' };

function review<T extends { metadata: object }>(object: T, status: unknown): T {
  return { ...object, metadata: { ...object.metadata, creationTimestamp: null }, status } as T;
}

export const selfsubjectaccessreviews = defineResource<Kube<SelfSubjectAccessReview>>({
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectAccessReview',
  plural: 'selfsubjectaccessreviews',
  singular: 'selfsubjectaccessreview',
  namespaced: false,
  verbs: ['create'],
  virtual: (object) => review(object, allowed),
});

export const subjectaccessreviews = defineResource<Kube<SubjectAccessReview>>({
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SubjectAccessReview',
  plural: 'subjectaccessreviews',
  singular: 'subjectaccessreview',
  namespaced: false,
  verbs: ['create'],
  virtual: (object) => review(object, allowed),
});

export const localsubjectaccessreviews = defineResource<Kube<LocalSubjectAccessReview>>({
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'LocalSubjectAccessReview',
  plural: 'localsubjectaccessreviews',
  singular: 'localsubjectaccessreview',
  namespaced: true,
  verbs: ['create'],
  virtual: (object) => review(object, allowed),
});

export const selfsubjectrulesreviews = defineResource<Kube<SelfSubjectRulesReview>>({
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectRulesReview',
  plural: 'selfsubjectrulesreviews',
  singular: 'selfsubjectrulesreview',
  namespaced: false,
  verbs: ['create'],
  virtual: (object) =>
    review(object, {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    }),
});

export const selfsubjectreviews = defineResource<Kube<SelfSubjectReview>>({
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectReview',
  plural: 'selfsubjectreviews',
  singular: 'selfsubjectreview',
  namespaced: false,
  verbs: ['create'],
  virtual: (object) => review(object, { userInfo: KUBEMU_USER }),
});

/** kubectl 1.27's `auth whoami` asks the beta version, which kube-apiserver 1.30 still serves. */
export const selfsubjectreviewsV1beta1 = defineResource<Kube<SelfSubjectReview>>({
  group: 'authentication.k8s.io',
  version: 'v1beta1',
  kind: 'SelfSubjectReview',
  plural: 'selfsubjectreviews',
  singular: 'selfsubjectreview',
  namespaced: false,
  verbs: ['create'],
  virtual: (object) => review(object, { userInfo: KUBEMU_USER }),
});

export const tokenreviews = defineResource<Kube<TokenReview>>({
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'TokenReview',
  plural: 'tokenreviews',
  singular: 'tokenreview',
  namespaced: false,
  verbs: ['create'],
  virtual: (object, context) => review(object, { authenticated: true, user: KUBEMU_USER, audiences: object.spec?.audiences ?? [], checked: rfc3339(context.now) }),
});
