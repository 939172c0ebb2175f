/**
 * @module server/registry/resources/nodes
 * Layer: registry (kind declaration). core/v1 Node: allocatable defaults to capacity, podCIDR and
 * providerID may only be set once, the STATUS/ROLES printer.
 */
import { field, type FieldError } from '../../api/field-errors.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age } from './common.js';
import type { NodeObject } from '../../api/kinds.js';

const CORE = 'io.k8s.api.core.v1';
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validate(node: NodeObject): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  (node.spec?.taints ?? []).forEach((taint, i) => {
    const at = `metadata.taints[${i}]`;
    if (!taint.key) errors.push(field.required(`${at}.key`));
    if (!TAINT_EFFECTS.includes(taint.effect)) errors.push(field.notSupported(`${at}.effect`, taint.effect, TAINT_EFFECTS));
    const id = `${taint.key}/${taint.effect}`;
    if (seen.has(id)) errors.push({ type: 'FieldValueDuplicate', field: at, value: taint, detail: 'taints must be unique by key and effect pair' });
    seen.add(id);
  });
  return errors;
}

function validateUpdate(node: NodeObject, old: NodeObject): FieldError[] {
  const errors: FieldError[] = [];
  const before = old.spec?.podCIDRs ?? [];
  const after = node.spec?.podCIDRs ?? [];
  if (before.length > 0 && JSON.stringify(before) !== JSON.stringify(after)) {
    errors.push(field.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old.spec?.providerID && node.spec?.providerID !== old.spec.providerID) {
    errors.push(field.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errors;
}

/** kubectl's STATUS: only the Ready condition, then SchedulingDisabled for cordoned nodes. */
export function nodeStatus(node: NodeObject): string {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const states = [ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady'];
  if (node.spec?.unschedulable) states.push('SchedulingDisabled');
  return states.join(',');
}

function roles(node: NodeObject): string {
  const found = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith('node-role.kubernetes.io/') && key.length > 'node-role.kubernetes.io/'.length) found.add(key.slice('node-role.kubernetes.io/'.length));
    if (key === 'kubernetes.io/role' && value) found.add(value);
  }
  return found.size === 0 ? '<none>' : [...found].sort().join(',');
}

function address(node: NodeObject, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

export const nodes = defineResource<NodeObject>({
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  status: { keepOnCreate: true },
  subresources: [{ name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }],
  strategy: {
    defaults(node) {
      if (node.status?.capacity && !node.status.allocatable) node.status.allocatable = { ...node.status.capacity };
    },
    validate,
    validateUpdate,
  },
  fieldSelectors: { 'spec.unschedulable': (node) => String(node.spec?.unschedulable ?? false) },
  table: {
    columns: [
      nameColumn,
      { name: 'Status', type: 'string', description: 'The status of the node' },
      { name: 'Roles', type: 'string', description: 'The roles of the node' },
      ageColumn,
      { name: 'Version', type: 'string', description: [`${CORE}.NodeSystemInfo`, 'kubeletVersion'] },
      { name: 'Internal-IP', type: 'string', priority: 1, description: [`${CORE}.NodeStatus`, 'addresses'] },
      { name: 'External-IP', type: 'string', priority: 1, description: [`${CORE}.NodeStatus`, 'addresses'] },
      { name: 'OS-Image', type: 'string', priority: 1, description: [`${CORE}.NodeSystemInfo`, 'osImage'] },
      { name: 'Kernel-Version', type: 'string', priority: 1, description: [`${CORE}.NodeSystemInfo`, 'kernelVersion'] },
      { name: 'Container-Runtime', type: 'string', priority: 1, description: [`${CORE}.NodeSystemInfo`, 'containerRuntimeVersion'] },
    ],
    cells: (node, now) => {
      const info = node.status?.nodeInfo;
      return [
        node.metadata.name ?? '',
        nodeStatus(node),
        roles(node),
        age(node, now),
        info?.kubeletVersion ?? '',
        address(node, 'InternalIP'),
        address(node, 'ExternalIP'),
        info?.osImage || '<unknown>',
        info?.kernelVersion || '<unknown>',
        info?.containerRuntimeVersion || '<unknown>',
      ];
    },
  },
});
