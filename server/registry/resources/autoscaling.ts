/**
 * @module server/registry/resources/autoscaling
 * Layer: registry (kind declaration). autoscaling/v2 HorizontalPodAutoscaler (stored; kubemu runs no
 * autoscaler because it has no metrics).
 */
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import type { Kube } from '../../api/object.js';
import { defineResource } from '../resource.js';
import { ageColumn, nameColumn } from '../table.js';
import { age } from './common.js';

type HpaObject = Kube<HorizontalPodAutoscaler>;
const V2 = 'io.k8s.api.autoscaling.v2';

export const horizontalpodautoscalers = defineResource<HpaObject>({
  group: 'autoscaling',
  version: 'v2',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  namespaced: true,
  shortNames: ['hpa'],
  categories: ['all'],
  status: {
    prepareForUpdate(hpa, old) {
      hpa.spec = structuredClone(old.spec);
    },
  },
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
  table: {
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
  },
});
