/**
 * @module server/registry/resources/rbac
 * Layer: registry (kind declarations). rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding,
 * ClusterRoleBinding: path-segment names, rule and roleRef validation, subject defaults. kubemu stores RBAC
 * objects but does not enforce them (there is no authorization: every request is allowed).
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import { deepEqual } from '../../api/equality.js';
import { field, type FieldError } from '../../api/field-errors.js';
import { isPathSegmentName } from '../../api/names.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age } from './common.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function validateRules(rules: readonly PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = [];
  (rules ?? []).forEach((rule, i) => {
    const at = `rules[${i}]`;
    if ((rule.verbs ?? []).length === 0) errors.push(field.required(`${at}.verbs`, 'verbs must contain at least one value'));
    const nonResource = (rule.nonResourceURLs ?? []).length > 0;
    if (nonResource) {
      if (namespaced) errors.push(field.invalid(`${at}.nonResourceURLs`, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
      return;
    }
    if ((rule.apiGroups ?? []).length === 0) errors.push(field.required(`${at}.apiGroups`, 'resource rules must supply at least one api group'));
    if ((rule.resources ?? []).length === 0) errors.push(field.required(`${at}.resources`, 'resource rules must supply at least one resource'));
  });
  return errors;
}

function validateRoleRef(ref: RoleRef | undefined, allowRole: boolean): FieldError[] {
  if (!ref) return [field.required('roleRef')];
  const errors: FieldError[] = [];
  if (ref.apiGroup !== RBAC_GROUP) errors.push(field.notSupported('roleRef.apiGroup', ref.apiGroup, [RBAC_GROUP]));
  const kinds = allowRole ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errors.push(field.notSupported('roleRef.kind', ref.kind, kinds));
  if (!ref.name) errors.push(field.required('roleRef.name'));
  return errors;
}

function defaultSubjects(subjects: Subject[] | undefined, ref: RoleRef | undefined): void {
  if (ref && !ref.apiGroup) ref.apiGroup = RBAC_GROUP;
  for (const subject of subjects ?? []) {
    if (!subject.apiGroup && (subject.kind === 'User' || subject.kind === 'Group')) subject.apiGroup = RBAC_GROUP;
  }
}

interface Binding {
  metadata: { name?: string };
  roleRef?: RoleRef;
  subjects?: Subject[];
}

function bindingCells(binding: Binding, now: number, created: string | undefined): (string | number)[] {
  const of = (kind: string) =>
    (binding.subjects ?? [])
      .filter((s) => s.kind === kind)
      .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name))
      .join(', ');
  return [
    binding.metadata.name ?? '',
    binding.roleRef ? `${binding.roleRef.kind}/${binding.roleRef.name}` : '',
    age({ metadata: { creationTimestamp: created } }, now),
    of('User'),
    of('Group'),
    of('ServiceAccount'),
  ];
}

function bindingColumns(kind: 'roleBinding' | 'clusterRoleBinding') {
  const definition = `io.k8s.api.rbac.v1.${kind === 'roleBinding' ? 'RoleBinding' : 'ClusterRoleBinding'}`;
  return [
    nameColumn,
    { name: 'Role', type: 'string' as const, description: [definition, 'roleRef'] as const },
    ageColumn,
    { name: 'Users', type: 'string' as const, priority: 1 as const, description: `Users in the ${kind}` },
    { name: 'Groups', type: 'string' as const, priority: 1 as const, description: `Groups in the ${kind}` },
    { name: 'ServiceAccounts', type: 'string' as const, priority: 1 as const, description: `ServiceAccounts in the ${kind}` },
  ];
}

export const roles = defineResource<Kube<Role>>({
  group: RBAC_GROUP,
  version: 'v1',
  kind: 'Role',
  plural: 'roles',
  singular: 'role',
  namespaced: true,
  validateName: isPathSegmentName,
  strategy: { validate: (role) => validateRules(role.rules, true) },
});

export const clusterroles = defineResource<Kube<ClusterRole>>({
  group: RBAC_GROUP,
  version: 'v1',
  kind: 'ClusterRole',
  plural: 'clusterroles',
  singular: 'clusterrole',
  namespaced: false,
  validateName: isPathSegmentName,
  strategy: { validate: (role) => validateRules(role.rules, false) },
});

export const rolebindings = defineResource<Kube<RoleBinding>>({
  group: RBAC_GROUP,
  version: 'v1',
  kind: 'RoleBinding',
  plural: 'rolebindings',
  singular: 'rolebinding',
  namespaced: true,
  validateName: isPathSegmentName,
  strategy: {
    defaults: (binding) => defaultSubjects(binding.subjects, binding.roleRef),
    validate: (binding) => validateRoleRef(binding.roleRef, true),
    validateUpdate: (binding, old) => (deepEqual(binding.roleRef, old.roleRef) ? [] : [field.invalid('roleRef', binding.roleRef, 'cannot change roleRef')]),
  },
  table: { columns: bindingColumns('roleBinding'), cells: (binding, now) => bindingCells(binding, now, binding.metadata.creationTimestamp) },
});

export const clusterrolebindings = defineResource<Kube<ClusterRoleBinding>>({
  group: RBAC_GROUP,
  version: 'v1',
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  namespaced: false,
  validateName: isPathSegmentName,
  strategy: {
    defaults: (binding) => defaultSubjects(binding.subjects, binding.roleRef),
    validate: (binding) => validateRoleRef(binding.roleRef, false),
    validateUpdate: (binding, old) => (deepEqual(binding.roleRef, old.roleRef) ? [] : [field.invalid('roleRef', binding.roleRef, 'cannot change roleRef')]),
  },
  table: { columns: bindingColumns('clusterRoleBinding'), cells: (binding, now) => bindingCells(binding, now, binding.metadata.creationTimestamp) },
});
