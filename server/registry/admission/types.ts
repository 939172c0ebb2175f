/**
 * @module server/registry/admission/types
 * Layer: registry. Admission plugins: mutating (`admit`) then validating (`validate`), run by the write
 * pipeline after the kind's own strategy, as kube-apiserver runs its default-on plugins.
 */
import type { KubeObject } from '../../api/object.js';
import type { StoredObject } from '../../../storage/types.js';
import type { Resource } from '../resource.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionRequest {
  operation: Operation;
  resource: Resource;
  subresource: string | undefined;
  namespace: string | undefined;
  name: string;
  /** the object being written (mutable in admit) */
  object: KubeObject | undefined;
  old: KubeObject | undefined;
  dryRun: boolean;
  now: Date;
}

/** Read access plugins need (e.g. does the namespace exist?). */
export interface AdmissionReader {
  get(resource: Resource, namespace: string | undefined, name: string): StoredObject | undefined;
  list(resource: Resource, namespace: string | undefined): readonly StoredObject[];
  resource(group: string, plural: string): Resource;
}

/** Undoes what a validating plugin held for a write in flight (a quota charge), once the write is stored or failed. */
export type AdmissionRelease = () => void;

export interface AdmissionPlugin {
  name: string;
  admit?(request: AdmissionRequest, reader: AdmissionReader): void;
  validate?(request: AdmissionRequest, reader: AdmissionReader): AdmissionRelease | void;
}
