/**
 * @module server/registry/binding
 * Layer: registry. pods/binding (what a scheduler posts): assigns a node once and records that the pod is
 * scheduled. Shared by the HTTP subresource and the in-process scheduler.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
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
      const stored = current as Kube<Pod>;
      if (stored.metadata.deletionTimestamp) throw errors.conflict(pods.groupResource, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (stored.spec?.nodeName) throw errors.conflict(pods.groupResource, name, `pod ${name} is already assigned to node "${stored.spec.nodeName}"`);
      const conditions = (stored.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null as unknown as string, lastTransitionTime: rfc3339(registry.now()) });
      // A new version sharing what it does not change with the stored one (never changed in place).
      const pod: Kube<Pod> = { ...stored, metadata: { ...stored.metadata }, spec: { ...(stored.spec as NonNullable<Pod['spec']>), nodeName: node }, status: { ...(stored.status ?? {}), conditions } };
      return pod as KubeObject;
    },
    'binding',
  );
  return result.object;
}
