/**
 * @module server/registry/resources/daemonsets
 * Layer: registry (kind declaration). apps/v1 DaemonSet, as pkg/registry/apps/daemonset/strategy.go and
 * SetDefaults_DaemonSet define it: update strategy defaults, generation and template generation (exposed as
 * the deprecated.daemonset.template.generation annotation), validation worded as upstream, the printer.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import { deepEqual } from '../../api/equality.js';
import { field, type FieldError } from '../../api/field-errors.js';
import { formatLabels, formatLabelSelector } from '../../api/labels.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age, isZero, nonNegative, startGeneration, validateIntOrPercent, validateSelectorAndTemplate } from './common.js';
import { containerCells, defaultPodTemplate, validatePodTemplate } from './pod-spec.js';

export type DaemonSetObject = Kube<DaemonSet>;
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
const APPS = 'io.k8s.api.apps.v1';
const STRATEGIES = ['RollingUpdate', 'OnDelete'];

function defaults(ds: DaemonSetObject): void {
  const spec = ds.spec;
  if (!spec) return;
  const strategy = (spec.updateStrategy ??= {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = (strategy.rollingUpdate ??= {});
    rolling.maxUnavailable ??= 1;
    rolling.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplate(spec.template);
}

export function templateGeneration(ds: DaemonSetObject): number {
  const value = Number(ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION]);
  return Number.isInteger(value) && value > 0 ? value : 1;
}

function setTemplateGeneration(ds: DaemonSetObject, generation: number): void {
  ds.metadata.annotations = { ...(ds.metadata.annotations ?? {}), [TEMPLATE_GENERATION_ANNOTATION]: String(generation) };
}

function validate(ds: DaemonSetObject): FieldError[] {
  const spec = ds.spec;
  if (!spec) return [field.required('spec')];
  const errors = validateSelectorAndTemplate(spec.selector, spec.template?.metadata?.labels, 'daemonset');
  for (const problem of validatePodTemplate(spec.template, 'spec.template', { restartPolicies: ['Always'] })) errors.push(problem);
  if (spec.template?.spec?.activeDeadlineSeconds !== undefined) {
    errors.push(field.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  for (const problem of nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')) errors.push(problem);
  for (const problem of nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit')) errors.push(problem);
  const strategy = spec.updateStrategy ?? {};
  if (!strategy.type || !STRATEGIES.includes(strategy.type)) {
    errors.push(field.notSupported('spec.updateStrategy.type', strategy.type ?? '', STRATEGIES));
  } else if (strategy.type === 'RollingUpdate') {
    const rolling = strategy.rollingUpdate;
    if (!rolling) errors.push(field.required('spec.updateStrategy.rollingUpdate'));
    else {
      const base = 'spec.updateStrategy.rollingUpdate';
      for (const problem of validateIntOrPercent(rolling.maxUnavailable, `${base}.maxUnavailable`)) errors.push(problem);
      for (const problem of validateIntOrPercent(rolling.maxSurge, `${base}.maxSurge`)) errors.push(problem);
      const noUnavailable = isZero(rolling.maxUnavailable);
      const noSurge = isZero(rolling.maxSurge);
      if (!noUnavailable && !noSurge) errors.push(field.invalid(`${base}.maxSurge`, rolling.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      if (noUnavailable && noSurge) errors.push(field.required(`${base}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
    }
  }
  return errors;
}

function validateUpdate(ds: DaemonSetObject, old: DaemonSetObject): FieldError[] {
  return deepEqual(ds.spec?.selector, old.spec?.selector) ? [] : [field.immutable('spec.selector', ds.spec?.selector)];
}

const STATUS_COUNTS = ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'observedGeneration'] as const;

export const daemonsets = defineResource<DaemonSetObject>({
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  plural: 'daemonsets',
  singular: 'daemonset',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  status: {
    validateUpdate(ds, old) {
      const status = (ds.status ?? {}) as Record<string, number | undefined>;
      const errors: FieldError[] = [];
      for (const key of STATUS_COUNTS) errors.push(...nonNegative(status[key], `status.${key}`));
      if ((old.status?.collisionCount ?? 0) > (ds.status?.collisionCount ?? 0)) {
        errors.push(field.invalid('status.collisionCount', ds.status?.collisionCount ?? 0, 'cannot be decremented'));
      }
      return errors;
    },
  },
  strategy: {
    defaults,
    prepareForCreate(ds) {
      startGeneration(ds);
      ds.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
      setTemplateGeneration(ds, templateGeneration(ds));
    },
    prepareForUpdate(ds, old) {
      // The template generation is the server's: bumped when the template changes, never set by users.
      let generation = templateGeneration(old);
      if (!deepEqual(ds.spec?.template, old.spec?.template)) generation++;
      setTemplateGeneration(ds, generation);
    },
    validate,
    validateUpdate,
  },
  table: {
    columns: [
      nameColumn,
      { name: 'Desired', type: 'integer', description: [`${APPS}.DaemonSetStatus`, 'desiredNumberScheduled'] },
      { name: 'Current', type: 'integer', description: [`${APPS}.DaemonSetStatus`, 'currentNumberScheduled'] },
      { name: 'Ready', type: 'integer', description: [`${APPS}.DaemonSetStatus`, 'numberReady'] },
      { name: 'Up-to-date', type: 'integer', description: [`${APPS}.DaemonSetStatus`, 'updatedNumberScheduled'] },
      { name: 'Available', type: 'integer', description: [`${APPS}.DaemonSetStatus`, 'numberAvailable'] },
      { name: 'Node Selector', type: 'string', description: ['io.k8s.api.core.v1.PodSpec', 'nodeSelector'] },
      ageColumn,
      { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' },
      { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' },
      { name: 'Selector', type: 'string', priority: 1, description: [`${APPS}.DaemonSetSpec`, 'selector'] },
    ],
    cells: (ds, now) => {
      const status = ds.status;
      return [
        ds.metadata.name ?? '',
        status?.desiredNumberScheduled ?? 0,
        status?.currentNumberScheduled ?? 0,
        status?.numberReady ?? 0,
        status?.updatedNumberScheduled ?? 0,
        status?.numberAvailable ?? 0,
        formatLabels(ds.spec?.template?.spec?.nodeSelector),
        age(ds, now),
        ...containerCells(ds.spec?.template?.spec),
        formatLabelSelector(ds.spec?.selector),
      ];
    },
  },
});
