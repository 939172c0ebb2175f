/**
 * @module server/registry/validation/object-meta
 * Layer: registry. ObjectMeta validation for every kind (mirrors apimachinery's ValidateObjectMeta and
 * ValidateObjectMetaUpdate): names, namespace, labels, annotations, owner references, finalizers, and the
 * fields that may never change.
 */
import { field, type FieldError } from '../../api/field-errors.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue } from '../../api/names.js';
import type { Metadata } from '../../api/object.js';

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const message of isQualifiedName(key)) errors.push(field.invalid(path, key, message));
    if (typeof value !== 'string') errors.push(field.invalid(path, value, 'label values must be strings'));
    else for (const message of isValidLabelValue(value)) errors.push(field.invalid(path, value, message));
  }
  return errors;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errors: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    for (const message of isQualifiedName(key.toLowerCase())) errors.push(field.invalid(path, key, message));
    size += key.length + (typeof value === 'string' ? value.length : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errors.push({ type: 'FieldValueTooLong', field: path, detail: `must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
  return errors;
}

function validateOwnerReferences(meta: Metadata, path: string): FieldError[] {
  const errors: FieldError[] = [];
  let firstController: string | undefined;
  for (const ref of meta.ownerReferences ?? []) {
    const version = ref.apiVersion?.includes('/') ? ref.apiVersion.slice(ref.apiVersion.indexOf('/') + 1) : ref.apiVersion;
    if (!version) errors.push(field.invalid(`${path}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errors.push(field.invalid(`${path}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errors.push(field.invalid(`${path}.name`, ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errors.push(field.invalid(`${path}.uid`, ref.uid ?? '', 'uid must not be empty'));
    if (ref.apiVersion === 'v1' && ref.kind === 'Event') errors.push(field.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (!ref.controller) continue;
    const name = `${ref.kind}/${ref.name}`;
    if (firstController === undefined) firstController = name;
    else {
      errors.push(
        field.invalid(path, meta.ownerReferences, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`),
      );
    }
  }
  return errors;
}

export function validateFinalizers(finalizers: readonly string[] | undefined, path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const finalizer of finalizers ?? []) {
    const problems = isQualifiedName(finalizer);
    for (const message of problems) errors.push(field.invalid(path, finalizer, message));
    if (problems.length === 0 && !finalizer.includes('/') && !STANDARD_FINALIZERS.has(finalizer)) {
      errors.push(field.invalid(path, finalizer, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return errors;
}

export interface MetaRules {
  namespaced: boolean;
  validateName(name: string): string[];
}

/** Upstream validates a generateName prefix with its trailing dash masked. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export function validateObjectMeta(meta: Metadata, rules: MetaRules): FieldError[] {
  const errors: FieldError[] = [];
  if (meta.generateName) {
    for (const message of rules.validateName(maskTrailingDash(meta.generateName))) errors.push(field.invalid('metadata.generateName', meta.generateName, message));
  }
  if (!meta.name) {
    errors.push(field.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const message of rules.validateName(meta.name)) errors.push(field.invalid('metadata.name', meta.name, message));
  }
  if (rules.namespaced) {
    if (!meta.namespace) errors.push(field.required('metadata.namespace'));
    else for (const message of isDNS1123Label(meta.namespace)) errors.push(field.invalid('metadata.namespace', meta.namespace, message));
  } else if (meta.namespace) {
    errors.push(field.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  for (const problem of validateLabels(meta.labels, 'metadata.labels')) errors.push(problem);
  for (const problem of validateAnnotations(meta.annotations, 'metadata.annotations')) errors.push(problem);
  for (const problem of validateOwnerReferences(meta, 'metadata.ownerReferences')) errors.push(problem);
  for (const problem of validateFinalizers(meta.finalizers, 'metadata.finalizers')) errors.push(problem);
  if (meta.finalizers?.includes('orphan') && meta.finalizers.includes('foregroundDeletion')) {
    errors.push(field.invalid('metadata.finalizers', meta.finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errors;
}

export function validateObjectMetaUpdate(meta: Metadata, old: Metadata, rules: MetaRules): FieldError[] {
  const errors = validateObjectMeta(meta, rules);
  if (meta.name !== old.name) errors.push(field.immutable('metadata.name', meta.name));
  if ((meta.namespace ?? '') !== (old.namespace ?? '')) errors.push(field.immutable('metadata.namespace', meta.namespace));
  if (old.deletionTimestamp) {
    const added = [...new Set((meta.finalizers ?? []).filter((f) => !(old.finalizers ?? []).includes(f)))].sort();
    if (added.length > 0) {
      errors.push(
        field.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`),
      );
    }
  }
  return errors;
}
