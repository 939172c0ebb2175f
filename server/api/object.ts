/**
 * @module server/api/object
 * Layer: api (pure types). The shape every stored Kubernetes object has, whatever its kind.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

/** kubernetes-types marks server-set fields readonly (clients must not set them); the server does set them. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Object metadata as the server handles it. */
export type Metadata = Writable<ObjectMeta>;

/** Any Kubernetes object: typed metadata, everything else opaque to the generic layers. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: Metadata;
  [field: string]: unknown;
}

/** True for a non-null, non-array object: the only shape JSON bodies may take at the top level. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A kubernetes-types object as the server handles it: writable metadata and status. */
export type Kube<T> = Omit<T, 'metadata' | 'status' | 'apiVersion' | 'kind'> &
  KubeObject &
  (T extends { readonly status?: infer S } ? { status?: S } : unknown);
