/**
 * @module server/registry/resources/scheduling
 * Layer: registry (kind declarations). scheduling.k8s.io/v1 PriorityClass and policy/v1 PodDisruptionBudget.
 */
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { field, type FieldError } from '../../api/field-errors.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age, startGeneration, validateIntOrPercent, validateLabelSelector } from './common.js';
import type { PdbObject as BudgetObject } from '../../api/kinds.js';

type PriorityClassObject = Kube<PriorityClass>;

export const SYSTEM_PRIORITY_CLASSES: Record<string, { value: number; description: string }> = {
  'system-node-critical': { value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' },
  'system-cluster-critical': {
    value: 2000000000,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
};
const PREEMPTION = ['PreemptLowerPriority', 'Never'];

function validatePriorityClass(pc: PriorityClassObject): FieldError[] {
  const errors: FieldError[] = [];
  const name = pc.metadata.name ?? '';
  if (name.startsWith('system-')) {
    const known = SYSTEM_PRIORITY_CLASSES[name];
    const problem = !known
      ? `${name} is not a known system priority class`
      : pc.value !== known.value
        ? `value of ${name} PriorityClass must be ${known.value}`
        : pc.globalDefault
          ? `globalDefault of ${name} PriorityClass must be false`
          : undefined;
    if (problem) errors.push(field.forbidden('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: ${problem}`));
  } else if (pc.value > 1000000000) {
    errors.push(field.forbidden('value', 'maximum allowed value of a user defined priority is 1000000000'));
  }
  if (pc.preemptionPolicy && !PREEMPTION.includes(pc.preemptionPolicy)) errors.push(field.notSupported('preemptionPolicy', pc.preemptionPolicy, PREEMPTION));
  return errors;
}

export const priorityclasses = defineResource<PriorityClassObject>({
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  plural: 'priorityclasses',
  singular: 'priorityclass',
  namespaced: false,
  shortNames: ['pc'],
  strategy: {
    defaults(pc) {
      pc.preemptionPolicy ??= 'PreemptLowerPriority';
    },
    validate: validatePriorityClass,
    validateUpdate(pc, old) {
      const errors: FieldError[] = [];
      if (pc.value !== old.value) errors.push(field.forbidden('value', 'may not be changed in an update.'));
      if (pc.preemptionPolicy !== old.preemptionPolicy) errors.push(field.immutable('preemptionPolicy', pc.preemptionPolicy));
      return errors;
    },
  },
  table: {
    columns: [
      nameColumn,
      { name: 'Value', type: 'integer', description: ['io.k8s.api.scheduling.v1.PriorityClass', 'value'] },
      { name: 'Global-Default', type: 'boolean', description: ['io.k8s.api.scheduling.v1.PriorityClass', 'globalDefault'] },
      ageColumn,
      { name: 'PreemptionPolicy', type: 'string', description: ['io.k8s.api.scheduling.v1.PriorityClass', 'preemptionPolicy'] },
    ],
    cells: (pc, now) => [pc.metadata.name ?? '', pc.value ?? 0, pc.globalDefault ?? false, age(pc, now), pc.preemptionPolicy ?? ''],
  },
});

export const poddisruptionbudgets = defineResource<BudgetObject>({
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  plural: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  namespaced: true,
  shortNames: ['pdb'],
  status: true,
  strategy: {
    prepareForCreate(pdb) {
      startGeneration(pdb);
      pdb.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    },
    validate(pdb) {
      const spec = pdb.spec ?? {};
      const errors: FieldError[] = [];
      if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
        errors.push(field.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
      }
      for (const problem of validateIntOrPercent(spec.minAvailable, 'spec.minAvailable')) errors.push(problem);
      for (const problem of validateIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable')) errors.push(problem);
      for (const problem of validateLabelSelector(spec.selector, 'spec.selector')) errors.push(problem);
      return errors;
    },
  },
  table: {
    columns: [
      nameColumn,
      { name: 'Min Available', type: 'string', description: 'The minimum number of pods that must be available.' },
      { name: 'Max Unavailable', type: 'string', description: 'The maximum number of pods that may be unavailable.' },
      { name: 'Allowed Disruptions', type: 'integer', description: 'Calculated number of pods that may be disrupted at this time.' },
      ageColumn,
    ],
    cells: (pdb, now) => [
      pdb.metadata.name ?? '',
      pdb.spec?.minAvailable === undefined ? 'N/A' : String(pdb.spec.minAvailable),
      pdb.spec?.maxUnavailable === undefined ? 'N/A' : String(pdb.spec.maxUnavailable),
      pdb.status?.disruptionsAllowed ?? 0,
      age(pdb, now),
    ],
  },
});
