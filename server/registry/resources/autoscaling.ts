/**
 * @module server/registry/resources/autoscaling
 * Layer: registry (kind declarations). autoscaling/v2 HorizontalPodAutoscaler, and autoscaling/v1 served from
 * the same storage (what `kubectl autoscale` before 1.33 sends), converted as upstream converts: the CPU
 * utilization target maps to the v1 field, everything v1 cannot say rides in annotations. Stored only:
 * kubemu runs no autoscaler (it has no metrics).
 */
import type { HorizontalPodAutoscaler as HpaV1 } from 'kubernetes-types/autoscaling/v1.js';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { Kube, KubeObject } from '../../api/object.js';
import { defineResource, type TablePrinter } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age } from './common.js';

type HpaObject = Kube<HorizontalPodAutoscaler>;
type HpaV1Object = Kube<HpaV1>;
const V2 = 'io.k8s.api.autoscaling.v2';

const hpaTable: TablePrinter<HpaObject> = {
    columns: [
      nameColumn,
      { name: 'Reference', type: 'string', description: [`${V2}.HorizontalPodAutoscalerSpec`, 'scaleTargetRef'] },
      { name: 'Targets', type: 'string', description: [`${V2}.HorizontalPodAutoscalerSpec`, 'metrics'] },
      { name: 'MinPods', type: 'string', description: [`${V2}.HorizontalPodAutoscalerSpec`, 'minReplicas'] },
      { name: 'MaxPods', type: 'string', description: [`${V2}.HorizontalPodAutoscalerSpec`, 'maxReplicas'] },
      { name: 'Replicas', type: 'string', description: [`${V2}.HorizontalPodAutoscalerStatus`, 'currentReplicas'] },
      ageColumn,
    ],
    cells: (hpa, now) => {
      const ref = hpa.spec?.scaleTargetRef;
      const targets = (hpa.spec?.metrics ?? [])
        .map((metric) => {
          const target = metric.resource?.target;
          const value = target?.averageUtilization !== undefined ? `${target.averageUtilization}%` : (target?.averageValue ?? target?.value ?? '');
          return `${metric.resource?.name ?? metric.type}: <unknown>/${value}`;
        })
        .join(', ');
      return [
        hpa.metadata.name ?? '',
        ref ? `${ref.kind}/${ref.name}` : '',
        targets || '<none>',
        hpa.spec?.minReplicas === undefined ? '<unset>' : hpa.spec.minReplicas,
        hpa.spec?.maxReplicas ?? 0,
        hpa.status?.currentReplicas ?? 0,
        age(hpa, now),
      ];
    },
  };

export const horizontalpodautoscalers = defineResource<HpaObject>({
  group: 'autoscaling',
  version: 'v2',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  status: true,
  strategy: {
    defaults(hpa) {
      const spec = hpa.spec;
      if (!spec) return;
      spec.minReplicas ??= 1;
      if ((spec.metrics ?? []).length === 0) {
        spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
      }
    },
    prepareForCreate(hpa) {
      hpa.status = { desiredReplicas: 0 };
    },
  },
  table: hpaTable,
});

const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const CARRIED = [METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];

function isCpuUtilization(metric: MetricSpec): boolean {
  return metric.type === 'Resource' && metric.resource?.name === 'cpu' && metric.resource.target.type === 'Utilization' && metric.resource.target.averageUtilization !== undefined;
}

function parsed<T>(annotations: Record<string, string>, key: string): T | undefined {
  const text = annotations[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** autoscaling/v1 → the stored autoscaling/v2 (upstream Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler). */
function toV2(hpa: HpaV1Object): KubeObject {
  const annotations = { ...(hpa.metadata.annotations ?? {}) };
  const metrics: MetricSpec[] = [];
  const cpu = hpa.spec?.targetCPUUtilizationPercentage;
  if (cpu !== undefined) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } });
  metrics.push(...(parsed<MetricSpec[]>(annotations, METRICS_ANNOTATION) ?? []).filter((m) => !isCpuUtilization(m)));
  const behavior = parsed<NonNullable<HpaObject['spec']>['behavior']>(annotations, BEHAVIOR_ANNOTATION);
  const currentMetrics: MetricStatus[] = [];
  const currentCpu = hpa.status?.currentCPUUtilizationPercentage;
  if (currentCpu !== undefined) currentMetrics.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: currentCpu } } });
  currentMetrics.push(...(parsed<MetricStatus[]>(annotations, CURRENT_METRICS_ANNOTATION) ?? []));
  const conditions = parsed<NonNullable<HpaObject['status']>['conditions']>(annotations, CONDITIONS_ANNOTATION);
  for (const key of CARRIED) delete annotations[key];
  const { targetCPUUtilizationPercentage: _cpu, ...spec } = hpa.spec ?? { maxReplicas: 0, scaleTargetRef: { kind: '', name: '' } };
  const { currentCPUUtilizationPercentage: _current, ...status } = hpa.status ?? { currentReplicas: 0, desiredReplicas: 0 };
  return {
    ...hpa,
    apiVersion: 'autoscaling/v2',
    metadata: { ...hpa.metadata, ...(Object.keys(annotations).length > 0 ? { annotations } : { annotations: undefined }) },
    spec: { ...spec, ...(metrics.length > 0 && { metrics }), ...(behavior && { behavior }) },
    ...(hpa.status && { status: { ...status, ...(currentMetrics.length > 0 && { currentMetrics }), ...(conditions && { conditions }) } }),
  };
}

/** The stored autoscaling/v2 → autoscaling/v1. */
function toV1(stored: KubeObject): HpaV1Object {
  const hpa = stored as HpaObject;
  const annotations = { ...(hpa.metadata.annotations ?? {}) };
  const metrics = hpa.spec?.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  if (others.length > 0) annotations[METRICS_ANNOTATION] = JSON.stringify(others);
  if (hpa.spec?.behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(hpa.spec.behavior);
  const current = hpa.status?.currentMetrics ?? [];
  const currentCpu = current.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.current.averageUtilization !== undefined);
  const otherCurrent = current.filter((m) => m !== currentCpu);
  if (otherCurrent.length > 0) annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(otherCurrent);
  if ((hpa.status?.conditions ?? []).length > 0) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(hpa.status?.conditions);
  const { metrics: _metrics, behavior: _behavior, ...spec } = hpa.spec ?? { maxReplicas: 0, scaleTargetRef: { kind: '', name: '' } };
  const { currentMetrics: _currentMetrics, conditions: _conditions, ...status } = hpa.status ?? { desiredReplicas: 0 };
  const cpuTarget = cpu?.resource?.target.averageUtilization;
  const cpuCurrent = currentCpu?.resource?.current.averageUtilization;
  return {
    ...hpa,
    apiVersion: 'autoscaling/v1',
    metadata: { ...hpa.metadata, ...(Object.keys(annotations).length > 0 && { annotations }) },
    spec: { ...spec, ...(cpuTarget !== undefined && { targetCPUUtilizationPercentage: cpuTarget }) },
    ...(hpa.status && { status: { currentReplicas: 0, ...status, ...(cpuCurrent !== undefined && { currentCPUUtilizationPercentage: cpuCurrent }) } }),
  } as HpaV1Object;
}

export const horizontalpodautoscalersV1 = defineResource<HpaV1Object>({
  group: 'autoscaling',
  version: 'v1',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  storedAs: { group: 'autoscaling', plural: 'horizontalpodautoscalers', toStorage: (hpa) => withV2Defaults(toV2(hpa)), fromStorage: toV1 },
  status: true,
  strategy: {
    defaults(hpa) {
      if (hpa.spec) hpa.spec.minReplicas ??= 1;
    },
    prepareForCreate(hpa) {
      hpa.status = { currentReplicas: 0, desiredReplicas: 0 };
    },
  },
  table: { columns: hpaTable.columns, cells: (hpa, now) => hpaTable.cells(withV2Defaults(toV2(hpa)) as HpaObject, now) },
});

/** The v2 defaults the stored object gets whichever version wrote it (no metrics: CPU at 80 %). */
function withV2Defaults(object: KubeObject): KubeObject {
  horizontalpodautoscalers.strategy?.defaults?.(object as HpaObject);
  return object;
}
