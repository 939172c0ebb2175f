/**
 * @module controllers/daemonset/history
 * Layer: controllers. A DaemonSet's ControllerRevisions (mirrors the daemon controller's update.go): the
 * revision `data` — the pod template with `"$patch":"replace"`, encoded as Go's encoding/json encodes a map,
 * byte for byte, because `kubectl rollout undo` compares its own encoding with it — the template hash that
 * names revisions and labels pods, and the revision object itself.
 */
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Kube } from '../../server/api/object.js';

export type DaemonSetObject = Kube<DaemonSet>;
export type RevisionObject = Kube<ControllerRevision>;

export const HASH_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A JSON string as Go writes it: HTML characters and line/paragraph separators escaped. */
function goString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON with object keys sorted at every level and Go's string escaping — encoding/json on a generic map. */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((key) => `${goString(key)}:${goJson(record[key])}`).join(',')}}`;
}

/** The revision data for a DaemonSet's current template (upstream getPatch). */
export function revisionData(ds: DaemonSetObject): string {
  return goJson({ spec: { template: { ...(ds.spec?.template ?? {}), $patch: 'replace' } } });
}

/** FNV-32a. */
function fnv32a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The template hash (upstream ComputeHash's shape): FNV-32a over the template — here its canonical JSON — and
 * the collision count, written in decimal and each digit mapped into the safe alphabet.
 */
export function templateHash(ds: DaemonSetObject, collisionCount: number | undefined): string {
  const template = Buffer.from(goJson(ds.spec?.template ?? {}));
  let bytes: Uint8Array = template;
  if (collisionCount !== undefined) {
    const suffix = Buffer.alloc(8);
    suffix.writeUInt32LE(collisionCount >>> 0, 0);
    bytes = Buffer.concat([template, suffix]);
  }
  return [...String(fnv32a(bytes))].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

/** The data of a stored revision as bytes to compare (it is stored as parsed JSON). */
export function storedData(revision: RevisionObject): string {
  return goJson(revision.data);
}

export function matches(ds: DaemonSetObject, revision: RevisionObject): boolean {
  return storedData(revision) === revisionData(ds);
}

/** The controller reference a DaemonSet puts on what it owns. */
export function controllerRef(ds: DaemonSetObject) {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name as string, uid: ds.metadata.uid as string, controller: true, blockOwnerDeletion: true };
}

/** A new ControllerRevision for the DaemonSet's current template (upstream snapshot). */
export function newRevision(ds: DaemonSetObject, hash: string, revision: number): RevisionObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${ds.metadata.name}-${hash}`,
      namespace: ds.metadata.namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [HASH_LABEL]: hash },
      ...(ds.metadata.annotations && { annotations: { ...ds.metadata.annotations } }),
      ownerReferences: [controllerRef(ds)],
    },
    data: JSON.parse(revisionData(ds)) as RevisionObject['data'],
    revision,
  };
}

export function templateGeneration(ds: DaemonSetObject): string | undefined {
  const value = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  return value !== undefined && /^\d+$/.test(value) ? value : undefined;
}
