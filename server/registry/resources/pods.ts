/**
 * @module server/registry/resources/pods
 * Layer: registry (kind declaration). core/v1 Pod: defaults, validation (and what may change on update),
 * status Pending with the QoS class on create, the printer kubectl shows (READY, STATUS, RESTARTS…), the
 * upstream field selectors, and the subresources kubectl uses.
 */
import type { PodSpec, PodStatus } from 'kubernetes-types/core/v1.js';
import { cloneJson, deepEqual } from '../../api/equality.js';
import { field, type FieldError } from '../../api/field-errors.js';
import { parseQuantity } from '../../api/quantity.js';
import { humanDuration, rfc3339 } from '../../api/time.js';
import { defineResource, type TableRowCondition } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age } from './common.js';
import { defaultPodSpec, validatePodSpec } from './pod-spec.js';
import type { PodObject } from '../../api/kinds.js';

const CORE = 'io.k8s.api.core.v1';

/** status.qosClass: BestEffort without any cpu/memory request or limit, Guaranteed when requests equal limits everywhere. */
export function qosClass(spec: PodSpec | undefined): string {
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const container of containers) {
    const requests = container.resources?.requests ?? {};
    const limits = container.resources?.limits ?? {};
    for (const resource of ['cpu', 'memory']) {
      const request = requests[resource] ?? limits[resource];
      const limit = limits[resource];
      if (request !== undefined || limit !== undefined) any = true;
      if (limit === undefined || request === undefined || parseQuantity(request) !== parseQuantity(limit)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const UPDATABLE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** ValidatePodUpdate: only images, activeDeadlineSeconds and added tolerations may change. */
function validateUpdate(object: PodObject, old: PodObject): FieldError[] {
  const spec = object.spec ?? ({} as PodSpec);
  const before = old.spec ?? ({} as PodSpec);
  if ((spec.containers ?? []).length !== (before.containers ?? []).length) {
    return [field.forbidden('spec.containers', 'pod updates may not add or remove containers')];
  }
  if ((spec.initContainers ?? []).length !== (before.initContainers ?? []).length) {
    return [field.forbidden('spec.initContainers', 'pod updates may not add or remove containers')];
  }
  const errors: FieldError[] = [];
  const oldTolerations = before.tolerations ?? [];
  if (!oldTolerations.every((t) => (spec.tolerations ?? []).some((n) => deepEqual({ ...n, tolerationSeconds: undefined }, { ...t, tolerationSeconds: undefined })))) {
    errors.push(field.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  }
  // Everything else must be unchanged: compare with the mutable fields copied over from the new spec.
  const munged = cloneJson(before);
  munged.containers = (before.containers ?? []).map((c, i) => ({ ...c, image: spec.containers?.[i]?.image as string }));
  if (before.initContainers) munged.initContainers = before.initContainers.map((c, i) => ({ ...c, image: spec.initContainers?.[i]?.image as string }));
  for (const key of ['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds'] as const) {
    if (spec[key] === undefined) delete munged[key];
    else (munged as unknown as Record<string, unknown>)[key] = spec[key];
  }
  if (!deepEqual(munged, spec)) errors.push(field.forbidden('spec', UPDATABLE));
  return errors;
}

// ---------------------------------------------------------------- printing (kubectl's printPod)

function lastTermination(time: string | undefined, latest: number): number {
  const t = time ? Date.parse(time) : NaN;
  return Number.isNaN(t) ? latest : Math.max(latest, t);
}

export function podRow(pod: PodObject, now: number): [string, string, string] {
  const spec = pod.spec ?? ({ containers: [] } as PodSpec);
  const status = pod.status ?? ({} as PodStatus);
  const sidecars = new Set((spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;
  let ready = 0;
  const total = (spec.containers ?? []).length + sidecars.size;
  let reason: string = status.reason || status.phase || '';
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const container = initStatuses[i]!;
    restarts += container.restartCount ?? 0;
    lastRestart = lastTermination(container.lastState?.terminated?.finishedAt, lastRestart);
    const sidecar = sidecars.has(container.name);
    if (sidecar) {
      sidecarRestarts += container.restartCount ?? 0;
      lastSidecarRestart = lastTermination(container.lastState?.terminated?.finishedAt, lastSidecarRestart);
    }
    const state = container.state ?? {};
    if (state.terminated && state.terminated.exitCode === 0) continue;
    if (sidecar && container.started) {
      if (container.ready) ready++;
      continue;
    }
    if (state.terminated) {
      const t = state.terminated;
      reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    } else if (state.waiting?.reason && state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${state.waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  const initialized = (status.conditions ?? []).find((c) => c.type === 'Initialized')?.status === 'True';
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i]!;
      restarts += container.restartCount ?? 0;
      lastRestart = lastTermination(container.lastState?.terminated?.finishedAt, lastRestart);
      const state = container.state ?? {};
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated?.reason) reason = state.terminated.reason;
      else if (state.terminated) reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode}`;
      else if (container.ready && state.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = (status.conditions ?? []).find((c) => c.type === 'Ready')?.status === 'True' ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';

  let restartText = String(restarts);
  if (restarts !== 0 && lastRestart > 0) restartText = `${restarts} (${humanDuration(now - lastRestart)} ago)`;
  return [`${ready}/${total}`, reason, restartText];
}

function readinessGates(pod: PodObject): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  const passing = gates.filter((gate) => conditions.find((c) => c.type === gate.conditionType)?.status === 'True').length;
  return `${passing}/${gates.length}`;
}

function completedCondition(pod: PodObject): TableRowCondition[] | undefined {
  if (pod.status?.phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
  if (pod.status?.phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
  return undefined;
}

export const pods = defineResource<PodObject>({
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  deletion: {
    returnDeletedObject: true,
    // Upstream CheckGracefulDelete: a pod no kubelet runs, or one that has finished, goes at once.
    gracePeriod(pod, requested) {
      let grace = requested ?? pod.spec?.terminationGracePeriodSeconds ?? 0;
      if (!pod.spec?.nodeName) grace = 0;
      if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') grace = 0;
      return grace < 0 ? 1 : grace;
    },
  },
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  status: true,
  subresources: [
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    { name: 'proxy', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  ],
  updateSubresources: {
    // Binding assigns the node once, and records that the pod is scheduled.
    // New versions share what they do not change with the stored one (stored objects are never changed in place).
    binding: (requested, old) => ({
      ...old,
      metadata: { ...old.metadata },
      spec: { ...(old.spec ?? { containers: [] }), nodeName: requested.spec?.nodeName as string },
      status: { ...(old.status ?? {}), conditions: structuredClone(requested.status?.conditions ?? []) },
    }),
    ephemeralcontainers: (requested, old) => ({
      ...old,
      metadata: { ...old.metadata },
      spec: { ...(old.spec ?? { containers: [] }), ephemeralContainers: structuredClone(requested.spec?.ephemeralContainers ?? []) },
    }),
  },
  strategy: {
    defaults: (pod) => defaultPodSpec(pod.spec, true),
    prepareForCreate(pod, context) {
      pod.status = { phase: 'Pending', qosClass: qosClass(pod.spec) };
      if ((pod.spec?.schedulingGates ?? []).length > 0) {
        pod.status.conditions = [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'SchedulingGated',
            message: 'Scheduling is blocked due to non-empty scheduling gates',
            lastTransitionTime: rfc3339(context.now),
          },
        ];
      }
    },
    validate: (pod, context) => validatePodSpec(pod.spec, 'spec', { isPod: context.creating }),
    validateUpdate,
  },
  fieldSelectors: {
    'spec.nodeName': (pod) => pod.spec?.nodeName ?? '',
    'spec.restartPolicy': (pod) => pod.spec?.restartPolicy ?? '',
    'spec.schedulerName': (pod) => pod.spec?.schedulerName ?? '',
    'spec.serviceAccountName': (pod) => pod.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (pod) => String(pod.spec?.hostNetwork ?? false),
    'status.phase': (pod) => pod.status?.phase ?? '',
    'status.podIP': (pod) => pod.status?.podIP ?? '',
    'status.podIPs': (pod) => pod.status?.podIPs?.[0]?.ip ?? '',
    'status.nominatedNodeName': (pod) => pod.status?.nominatedNodeName ?? '',
  },
  table: {
    columns: [
      nameColumn,
      { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.' },
      { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.' },
      {
        name: 'Restarts',
        type: 'string',
        description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      },
      ageColumn,
      { name: 'IP', type: 'string', priority: 1, description: [`${CORE}.PodStatus`, 'podIP'] },
      { name: 'Node', type: 'string', priority: 1, description: [`${CORE}.PodSpec`, 'nodeName'] },
      { name: 'Nominated Node', type: 'string', priority: 1, description: [`${CORE}.PodStatus`, 'nominatedNodeName'] },
      { name: 'Readiness Gates', type: 'string', priority: 1, description: [`${CORE}.PodSpec`, 'readinessGates'] },
    ],
    cells(pod, now) {
      const [ready, reason, restarts] = podRow(pod, now);
      return [
        pod.metadata.name ?? '',
        ready,
        reason,
        restarts,
        age(pod, now),
        pod.status?.podIPs?.[0]?.ip || '<none>',
        pod.spec?.nodeName || '<none>',
        pod.status?.nominatedNodeName || '<none>',
        readinessGates(pod),
      ];
    },
    conditions: completedCondition,
  },
});

