/**
 * @module server/registry/binding
 * Layer: registry. pods/binding (what a scheduler posts): assigns a node once and records that the pod is
 * scheduled. Shared by the HTTP subresource and the in-process scheduler.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { cloneJson } from '../api/equality.js';
import type { Kube, KubeObject } from '../api/object.js';
import { errors } from '../api/status.js';
import { rfc3339 } from '../api/time.js';
import type { Registry, WriteOptions } from './registry.js';

export async function bindPod(registry: Registry, namespace: string, name: string, node: string, options: WriteOptions): Promise<KubeObject> {
  const pods = registry.resource('', 'pods');
  const result = await registry.transform(
    pods,
    namespace,
    name,
    options,
    (current) => {
      const pod = cloneJson(current) as Kube<Pod>;
      if (pod.metadata.deletionTimestamp) throw errors.conflict(pods.groupResource, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (pod.spec?.nodeName) throw errors.conflict(pods.groupResource, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      (pod.spec as NonNullable<typeof pod.spec>).nodeName = node;
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null as unknown as string, lastTransitionTime: rfc3339(registry.now()) });
      pod.status = { ...(pod.status ?? {}), conditions };
      return pod as KubeObject;
    },
    'binding',
  );
  return result.object;
}
