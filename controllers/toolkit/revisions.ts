/**
 * @module controllers/toolkit/revisions
 * Layer: controllers (pure). ControllerRevisions as the DaemonSet and StatefulSet controllers keep them
 * (upstream controller_history.go): the revision object for a template snapshot, the hash label that ties
 * pods to it, and byte comparison of stored data.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../server/api/object.js';
import { goJson } from './hash.js';
import type { RevisionObject } from '../../server/api/kinds.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';

export interface RevisionSpec {
  owner: KubeObject;
  reference: OwnerReference;
  /** the snapshot, already encoded as Go encodes it */
  data: string;
  hash: string;
  revision: number;
  /** the template's labels */
  labels: Record<string, string> | undefined;
}

/** A new ControllerRevision `<owner>-<hash>` (upstream NewControllerRevision). */
export function newControllerRevision(spec: RevisionSpec): RevisionObject {
  const { owner } = spec;
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${owner.metadata.name}-${spec.hash}`,
      namespace: owner.metadata.namespace,
      labels: { ...(spec.labels ?? {}), [REVISION_HASH_LABEL]: spec.hash },
      ...(owner.metadata.annotations && { annotations: { ...owner.metadata.annotations } }),
      ownerReferences: [spec.reference],
    },
    data: JSON.parse(spec.data) as RevisionObject['data'],
    revision: spec.revision,
  };
}

/** The data of a stored revision as bytes to compare (it is stored as parsed JSON). */
export function storedData(revision: RevisionObject): string {
  return goJson(revision.data);
}
