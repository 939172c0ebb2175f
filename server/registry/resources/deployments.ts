/**
 * @module server/registry/resources/deployments
 * Layer: registry (kind declaration). apps/v1 Deployment: defaults (replicas, RollingUpdate 25 %/25 %,
 * history, progress deadline), validation, generation bumped on spec or annotation changes, /scale, printer.
 */
import { deepEqual } from '../../api/equality.js';
import { field, type FieldError } from '../../api/field-errors.js';
import { fromLabelSelector } from '../../api/labels.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age, isZero, nonNegative, replicaScale, startGeneration, validateIntOrPercent, validateSelectorAndTemplate } from './common.js';
import { containerCells, defaultPodTemplate, validatePodTemplate } from './pod-spec.js';
import type { DeploymentObject } from '../../api/kinds.js';

const APPS = 'io.k8s.api.apps.v1';
const STRATEGIES = ['Recreate', 'RollingUpdate'];

function defaults(deployment: DeploymentObject): void {
  const spec = deployment.spec;
  if (!spec) return;
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = (strategy.rollingUpdate ??= {});
    rolling.maxUnavailable ??= '25%';
    rolling.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(spec.template);
}

function validate(deployment: DeploymentObject): FieldError[] {
  const spec = deployment.spec;
  if (!spec) return [field.required('spec')];
  const errors = nonNegative(spec.replicas, 'spec.replicas');
  for (const problem of validateSelectorAndTemplate(spec.selector, spec.template?.metadata?.labels, 'deployment')) errors.push(problem);
  for (const problem of validatePodTemplate(spec.template, 'spec.template', { restartPolicies: ['Always'] })) errors.push(problem);
  if (spec.template?.spec?.activeDeadlineSeconds !== undefined) {
    errors.push(field.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  const strategy = spec.strategy ?? {};
  if (!strategy.type || !STRATEGIES.includes(strategy.type)) errors.push(field.notSupported('spec.strategy', strategy.type ?? '', STRATEGIES));
  if (strategy.type === 'Recreate' && strategy.rollingUpdate) {
    errors.push(field.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  }
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) {
    const base = 'spec.strategy.rollingUpdate';
    const { maxUnavailable, maxSurge } = strategy.rollingUpdate;
    errors.push(...validateIntOrPercent(maxUnavailable, `${base}.maxUnavailable`), ...validateIntOrPercent(maxSurge, `${base}.maxSurge`));
    if (isZero(maxUnavailable) && isZero(maxSurge)) errors.push(field.invalid(`${base}.maxUnavailable`, maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
  }
  for (const problem of nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')) errors.push(problem);
  for (const problem of nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit')) errors.push(problem);
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
    errors.push(field.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errors;
}

export const deployments = defineResource<DeploymentObject>({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  singular: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  status: {
    keepsAnnotations: true,
  },
  scale: replicaScale(),
  strategy: {
    defaults,
    prepareForCreate(deployment) {
      startGeneration(deployment);
      deployment.status = {};
    },
    prepareForUpdate(deployment, old) {
      // Deployments also bump generation on annotation changes (a rollback request travels as one).
      if (deepEqual(deployment.spec, old.spec) && !deepEqual(deployment.metadata.annotations, old.metadata.annotations)) {
        deployment.metadata.generation = (old.metadata.generation ?? 0) + 1;
      }
    },
    validate,
    validateUpdate: (deployment, old) => (deepEqual(deployment.spec?.selector, old.spec?.selector) ? [] : [field.immutable('spec.selector', deployment.spec?.selector)]),
  },
  table: {
    columns: [
      nameColumn,
      { name: 'Ready', type: 'string', description: 'Number of the pod with ready state' },
      { name: 'Up-to-date', type: 'string', description: [`${APPS}.DeploymentStatus`, 'updatedReplicas'] },
      { name: 'Available', type: 'string', description: [`${APPS}.DeploymentStatus`, 'availableReplicas'] },
      ageColumn,
      { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' },
      { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' },
      { name: 'Selector', type: 'string', priority: 1, description: [`${APPS}.DeploymentSpec`, 'selector'] },
    ],
    cells: (deployment, now) => {
      let selector: string;
      try {
        selector = fromLabelSelector(deployment.spec?.selector).toString();
      } catch {
        selector = '<invalid>';
      }
      return [
        deployment.metadata.name ?? '',
        `${deployment.status?.readyReplicas ?? 0}/${deployment.spec?.replicas ?? 0}`,
        deployment.status?.updatedReplicas ?? 0,
        deployment.status?.availableReplicas ?? 0,
        age(deployment, now),
        ...containerCells(deployment.spec?.template?.spec),
        selector,
      ];
    },
  },
});
